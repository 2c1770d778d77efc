// TLS records in one direction of a relayed connection, as a passive observer on the path sees them
// (RFC 8446 §5.1): each record's type and size; the ClientHello's server name, ALPN list and
// versions and the ServerHello's choice, which travel in the clear; alerts sent before encryption.
// Everything after a side's change_cipher_spec, and every application_data record, is encrypted:
// spy counts it and says it cannot read it. Handshake bytes are kept only until the first message
// of the side is whole (at most 16 KiB): a long stream holds nothing.

import { ALERT_NAMES, ContentType, observeClientHello, versionName } from '../wire/tls.ts';

const HEADER = 5;
/** Handshake bytes kept for the first message of a side; a larger one is only counted. */
const MAX_KEPT = 16 * 1024 + 4;

const TYPE_NAMES: Record<number, string> = { 20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data' };

export class TlsScanner {
  private header: Buffer = Buffer.alloc(0);
  /** The record being passed: its type, length, and the bytes of it seen so far. */
  private record: { type: number; length: number; seen: number; kept: Buffer[] } | undefined;
  /** Handshake bytes of this side's first message, joined across records. */
  private handshake: Buffer[] = [];
  private handshakeLength = 0;
  private firstMessageDone = false;
  /** After this side's change_cipher_spec (or its first application_data), records are encrypted. */
  private encrypted = false;
  private saidEncrypted = false;

  constructor(private readonly side: 'client' | 'server') {}

  /** Feeds bytes; returns one line per record that ended in them (or message read from them). */
  feed(bytes: Buffer): string[] {
    const lines: string[] = [];
    let rest = bytes;
    while (rest.length > 0) {
      if (!this.record) {
        const need = HEADER - this.header.length;
        this.header = Buffer.concat([this.header, rest.subarray(0, need)]);
        rest = rest.subarray(need);
        if (this.header.length < HEADER) break;
        this.record = { type: this.header[0]!, length: this.header.readUInt16BE(3), seen: 0, kept: [] };
        this.header = Buffer.alloc(0);
      }
      const record = this.record;
      const take = Math.min(rest.length, record.length - record.seen);
      const readable = !this.encrypted && (record.type === ContentType.handshake || record.type === ContentType.alert);
      if (readable && record.seen < MAX_KEPT) record.kept.push(Buffer.from(rest.subarray(0, Math.min(take, MAX_KEPT - record.seen))));
      record.seen += take;
      rest = rest.subarray(take);
      if (record.seen === record.length) {
        lines.push(...this.describe(record.type, record.length, Buffer.concat(record.kept)));
        this.record = undefined;
      }
    }
    return lines;
  }

  private describe(type: number, length: number, fragment: Buffer): string[] {
    const size = `${length} ${length === 1 ? 'byte' : 'bytes'}`;
    const name = TYPE_NAMES[type] ?? `type ${type}`;
    if (type === ContentType.change_cipher_spec) {
      this.encrypted = true;
      return [`TLS change_cipher_spec record · ${size}`];
    }
    if (this.encrypted || type === ContentType.application_data) {
      this.encrypted = true;
      if (this.saidEncrypted) return [`TLS ${name} record · ${size} (encrypted)`];
      this.saidEncrypted = true;
      return [`TLS ${name} record · ${size} (encrypted: from here on spy, like anyone on the path, sees only record sizes)`];
    }
    if (type === ContentType.alert) {
      const level = fragment[0] === 2 ? 'fatal' : fragment[0] === 1 ? 'warning' : `level ${fragment[0]}`;
      const code = fragment[1];
      return [`TLS alert · ${level} · ${code === undefined ? 'no description' : `${ALERT_NAMES[code] ?? 'unknown'} (${code})`}`];
    }
    if (type !== ContentType.handshake) return [`TLS ${name} record · ${size}`];
    return this.handshakeRecord(fragment, size);
  }

  /** A handshake record: its bytes join the first message until it is whole, then it is described. */
  private handshakeRecord(fragment: Buffer, size: string): string[] {
    if (this.firstMessageDone) return [`TLS handshake record · ${size}`];
    this.handshake.push(fragment);
    this.handshakeLength += fragment.length;
    const message = Buffer.concat(this.handshake);
    if (message.length < 4) return [];
    const length = message.readUIntBE(1, 3);
    if (message.length < 4 + length && message.length < MAX_KEPT) return [];
    this.firstMessageDone = true;
    this.handshake = [];
    const body = message.subarray(4, 4 + length);
    if (message[0] === 1 && this.side === 'client') {
      const hello = observeClientHello(body);
      if (!hello) return [`TLS ClientHello · ${length} bytes, not well formed`];
      const sni = hello.serverName === undefined ? 'no server_name' : `server_name ${JSON.stringify(hello.serverName)}`;
      const alpn = hello.alpn.length > 0 ? ` · ALPN ${hello.alpn.join(', ')}` : '';
      return [`TLS ClientHello · ${sni}${alpn} · offers ${hello.versions.map(versionName).join(', ')} · ${length} bytes (readable by anyone on the path)`];
    }
    if (message[0] === 2 && this.side === 'server') return [describeServerHello(body, length)];
    return [`TLS handshake message type ${message[0]} · ${length} bytes`];
  }
}

/** ServerHello (RFC 8446 §4.1.3): the version it chose (supported_versions, else legacy_version) and the cipher suite. */
function describeServerHello(body: Buffer, length: number): string {
  if (body.length < 35 || body.length < 35 + body[34]! + 3) return `TLS ServerHello · ${length} bytes`;
  let version = body.readUInt16BE(0);
  const at = 35 + body[34]!;
  const suite = body.readUInt16BE(at);
  for (let i = at + 5; i + 4 <= body.length;) {
    const type = body.readUInt16BE(i);
    const size = body.readUInt16BE(i + 2);
    if (type === 43 && size === 2 && i + 6 <= body.length) version = body.readUInt16BE(i + 4);
    i += 4 + size;
  }
  return `TLS ServerHello · ${versionName(version)} · cipher suite 0x${suite.toString(16).padStart(4, '0')} · ${length} bytes`;
}

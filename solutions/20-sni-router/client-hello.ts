// sni-router: reading a TLS ClientHello from the raw bytes of a connection, without decrypting
// anything (nothing is encrypted yet). Two layers, as on the wire:
//
//   records (RFC 8446 §5.1)       a small state machine over the stream: a 5-byte header, then the
//                                 fragment; all bytes taken through consume(n); a step that lacks
//                                 bytes returns and waits for the next push()
//   the handshake message (§4)    the fragments joined: msg_type 1, a 24-bit length, then the
//                                 ClientHello (§4.1.2), read once whole, field by field, through a
//                                 Fields cursor that checks every length against what contains it
//
// A lie in any length is a HelloError, never a read past the end of what holds the field.

/** Record content types (RFC 8446 §5.1). */
const HANDSHAKE = 22;
/** Handshake type client_hello (RFC 8446 §4). */
const CLIENT_HELLO = 1;
/** A record's fragment is at most 2^14 bytes (RFC 8446 §5.1). */
const MAX_FRAGMENT = 2 ** 14;
/** The largest ClientHello this router waits for (the message after its 4-byte header). */
export const MAX_HELLO_BYTES = 16 * 1024;

/** Extension types (IANA TLS ExtensionType Values). */
const SERVER_NAME = 0; // RFC 6066 §3
const ALPN = 16; // RFC 7301 §3.1

/** What the router learns from a ClientHello. */
export interface ClientHello {
  /** legacy_version: 0x0303 from every TLS 1.2 and 1.3 client (§4.1.2). */
  version: number;
  random: Buffer;
  sessionId: Buffer;
  cipherSuites: number[];
  /** The extension types in the order sent, GREASE and unknown ones included. */
  extensions: number[];
  /** The host_name of server_name, as sent (RFC 6066 §3), or undefined without one. */
  serverName: string | undefined;
  /** The ALPN protocol names offered, in order (RFC 7301 §3.1); [] without the extension. */
  alpn: string[];
}

/** The first bytes are not a TLS ClientHello: the connection is closed. */
export class HelloError extends Error {
  override name = 'HelloError';
}

/** A cursor over bytes that are all here: every read is checked against the bytes it may use. */
class Fields {
  private offset = 0;

  constructor(
    private readonly bytes: Buffer,
    /** What these bytes are, for error messages: "the ClientHello", "server_name". */
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Takes the next `n` bytes of `field`; a length that claims more than is left is a lie. */
  consume(n: number, field: string): Buffer {
    if (n > this.remaining) throw new HelloError(`${field} claims ${n} bytes, but only ${this.remaining} are left in ${this.what}.`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u8(field: string): number {
    return this.consume(1, field)[0]!;
  }

  u16(field: string): number {
    return this.consume(2, field).readUInt16BE(0);
  }

  /** A vector: a length of `size` bytes, then that many bytes (§3.4), given as Fields of their own. */
  vector(size: 1 | 2, field: string, min: number, max: number): Fields {
    const length = size === 1 ? this.u8(field) : this.u16(field);
    if (length < min || length > max) throw new HelloError(`${field} has length ${length}; it must be ${min} to ${max}.`);
    return new Fields(this.consume(length, field), field);
  }

  /** All the bytes left: the contents of a vector whose length was already checked. */
  rest(field: string): Buffer {
    return this.consume(this.remaining, field);
  }

  /** Everything was read: bytes left over mean a length lied (it claimed too little). */
  end(): void {
    if (this.remaining !== 0) throw new HelloError(`${this.remaining} bytes are left over at the end of ${this.what}.`);
  }
}

type Step = 'record header' | 'fragment';

export class ClientHelloReader {
  /** Bytes pushed and not consumed yet, oldest first. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private step: Step = 'record header';
  /** The fragment length of the record being read. */
  private fragmentLength = 0;
  /** The handshake bytes of the records so far. */
  private handshake: Buffer[] = [];
  private handshakeLength = 0;
  /** The ClientHello's length from the handshake header, once its 4 bytes are in. */
  private helloLength: number | undefined;

  /** Adds bytes from the wire; returns the ClientHello once it is whole. Throws HelloError. */
  push(chunk: Buffer): ClientHello | undefined {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      const done = this.step === 'record header' ? this.readRecordHeader() : this.readFragment();
      if (!done) return undefined; // waits for more bytes
      const hello = this.readHandshake();
      if (hello) return hello;
    }
  }

  /** Takes the first `n` buffered bytes (the caller has checked that there are that many). */
  private consume(n: number): Buffer {
    this.buffered -= n;
    const out = Buffer.allocUnsafe(n);
    for (let filled = 0; filled < n;) {
      const first = this.chunks[0]!;
      const take = Math.min(first.length, n - filled);
      first.copy(out, filled, 0, take);
      filled += take;
      if (take === first.length) this.chunks.shift();
      else this.chunks[0] = first.subarray(take);
    }
    return out;
  }

  /** content_type(1) · legacy_record_version(2) · length(2). */
  private readRecordHeader(): boolean {
    // The first byte alone tells TLS from anything else: say so before waiting for more.
    if (this.buffered >= 1 && this.chunks[0]![0] !== HANDSHAKE) {
      const what = this.handshakeLength === 0 ? 'not a TLS handshake' : 'a record of another type inside the ClientHello';
      throw new HelloError(`The first byte is ${this.chunks[0]![0]}, not 22 (handshake): ${what}.`);
    }
    if (this.buffered < 5) return false;
    const header = this.consume(5);
    // §5.1: legacy_record_version "MUST be ignored for all purposes" (clients send 0x0301 or 0x0303).
    this.fragmentLength = header.readUInt16BE(3);
    if (this.fragmentLength > MAX_FRAGMENT) throw new HelloError(`A record of ${this.fragmentLength} bytes: at most 2^14 are allowed (RFC 8446 §5.1).`);
    // §5.1: zero-length fragments of handshake records must not be sent.
    if (this.fragmentLength === 0) throw new HelloError('An empty handshake record (RFC 8446 §5.1).');
    this.step = 'fragment';
    return true;
  }

  /** The record's fragment: more bytes of the handshake message. */
  private readFragment(): boolean {
    if (this.buffered < this.fragmentLength) return false;
    const fragment = this.consume(this.fragmentLength);
    this.handshake.push(fragment);
    this.handshakeLength += fragment.length;
    this.step = 'record header';
    return true;
  }

  /** msg_type(1) · length(3) · body, once enough records arrived. */
  private readHandshake(): ClientHello | undefined {
    if (this.handshakeLength < 4) return undefined;
    if (this.helloLength === undefined) {
      const header = Buffer.concat(this.handshake).subarray(0, 4); // at most 4 records of 1 byte or more
      if (header[0] !== CLIENT_HELLO) throw new HelloError(`The first handshake message has type ${header[0]}, not 1 (client_hello).`);
      this.helloLength = header.readUIntBE(1, 3);
      // The 24-bit length allows 16 MiB: a router must not wait for (and hold) what a client claims.
      if (this.helloLength > MAX_HELLO_BYTES) throw new HelloError(`A ClientHello of ${this.helloLength} bytes: this router takes at most ${MAX_HELLO_BYTES}.`);
    }
    if (this.handshakeLength < 4 + this.helloLength) return undefined;
    // The hello ends where a record ends: bytes after it in its records would be a second message.
    const extra = this.handshakeLength - 4 - this.helloLength;
    if (extra > 0) throw new HelloError(`${extra} bytes follow the ClientHello in its records.`);
    return readClientHello(new Fields(Buffer.concat(this.handshake).subarray(4), 'the ClientHello'));
  }
}

/** The ClientHello's fields, in order (RFC 8446 §4.1.2). */
function readClientHello(hello: Fields): ClientHello {
  const version = hello.u16('legacy_version');
  const random = hello.consume(32, 'random');
  const sessionId = hello.vector(1, 'legacy_session_id', 0, 32).rest('legacy_session_id');
  const suites = hello.vector(2, 'cipher_suites', 2, 2 ** 16 - 2);
  if (suites.remaining % 2 !== 0) throw new HelloError('cipher_suites has an odd length: each suite is 2 bytes.');
  const cipherSuites: number[] = [];
  while (suites.remaining > 0) cipherSuites.push(suites.u16('a cipher suite'));
  hello.vector(1, 'legacy_compression_methods', 1, 255);
  const result: ClientHello = { version, random, sessionId, cipherSuites, extensions: [], serverName: undefined, alpn: [] };
  // RFC 5246 §7.4.1.2: a TLS 1.2 hello may end here, with no extensions at all.
  if (hello.remaining > 0) readExtensions(hello.vector(2, 'extensions', 0, 2 ** 16 - 1), result);
  hello.end();
  return result;
}

/** Each extension: type(2) · extension_data<0..2^16-1>. Reads two, skips every other (GREASE too). */
function readExtensions(block: Fields, result: ClientHello): void {
  while (block.remaining > 0) {
    const type = block.u16('extension_type');
    const data = block.vector(2, `extension ${type}`, 0, 2 ** 16 - 1);
    // RFC 8446 §4.2: no two extensions of the same type. Two server_names could route one way and
    // serve another.
    if (result.extensions.includes(type)) throw new HelloError(`Extension ${type} appears twice (RFC 8446 §4.2).`);
    result.extensions.push(type);
    if (type === SERVER_NAME) result.serverName = readServerName(data);
    else if (type === ALPN) result.alpn = readAlpn(data);
    // Anything else is not the router's business: its bytes were consumed with the vector.
  }
}

/** RFC 6066 §3: ServerNameList<1..2^16-1> of name_type(1) · HostName<1..2^16-1>. */
function readServerName(data: Fields): string | undefined {
  const list = data.vector(2, 'server_name_list', 1, 2 ** 16 - 1);
  data.end();
  let hostName: string | undefined;
  while (list.remaining > 0) {
    const nameType = list.u8('name_type');
    const name = list.vector(2, 'host_name', 1, 2 ** 16 - 1).rest('host_name');
    if (nameType !== 0) continue; // another name type: none is defined, skip it
    if (hostName !== undefined) throw new HelloError('Two host_names in server_name (RFC 6066 §3).');
    hostName = readHostName(name);
  }
  return hostName;
}

/** A host_name is ASCII (RFC 6066 §3): letters, digits, '-', '.', and '_' seen in practice. */
function readHostName(name: Buffer): string {
  for (const byte of name) {
    const ok =
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x2e || byte === 0x5f;
    if (!ok) throw new HelloError(`host_name holds the byte 0x${byte.toString(16).padStart(2, '0')}: a DNS name is letters, digits, '-' and '.'.`);
  }
  return name.toString('latin1');
}

/** RFC 7301 §3.1: ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>. */
function readAlpn(data: Fields): string[] {
  const list = data.vector(2, 'protocol_name_list', 2, 2 ** 16 - 1);
  data.end();
  const names: string[] = [];
  while (list.remaining > 0) {
    const name = list.vector(1, 'protocol_name', 1, 255);
    names.push(name.rest('protocol_name').toString('latin1'));
  }
  return names;
}

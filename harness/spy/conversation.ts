// What one relayed connection says, in the words of its protocol where spy can tell it: HTTP/1.1
// when the client opens with a request line, WebSocket frames after a 101 to an Upgrade, TLS
// records when the client opens with a handshake record (what an observer sees: spy cannot
// decrypt), and raw bytes otherwise (a TCP lesson's own protocol, or anything spy cannot follow). Each call returns
// the summary lines for the bytes just seen; the bytes themselves are shown as they are anyway.
// The payloads of the client's masked WebSocket frames, unmasked, are handed over separately
// (takeUnmasked): on the wire they read as noise.

import { framingOf, HttpResponse } from '../wire/http.ts';
import { HttpLane, type BodyFraming, type Head } from './http-lane.ts';
import type { Side } from './relay.ts';
import { TlsScanner } from './tls-lane.ts';
import { FrameScanner, type UnmaskedPayload } from './websocket-lane.ts';

/** `GET `, `OPTIONS `: a token and a space, the start of a request line (RFC 9112 §3). */
const REQUEST_START = /^[A-Z]{3,10} /;

export class Conversation {
  private mode: 'sniff' | 'http' | 'tls' | 'raw' = 'sniff';
  private tls: Record<Side, TlsScanner> | undefined;
  private sniffed: Buffer = Buffer.alloc(0);
  private readonly lanes: Record<Side, HttpLane>;
  private readonly frames: Partial<Record<Side, FrameScanner>> = {};
  /** Requests not answered yet, oldest first: a response to HEAD has no body (RFC 9112 §6.3). */
  private readonly pending: Head[] = [];
  /** Masked frames' payloads seen since the last takeUnmasked(). */
  private unmasked: UnmaskedPayload[] = [];

  constructor() {
    this.lanes = {
      client: new HttpLane('request', (head) => requestFraming(head, this.pending)),
      server: new HttpLane('response', (head) => this.responseFraming(head)),
    };
  }

  /** Summary lines for bytes `from` sent. */
  data(from: Side, bytes: Buffer): string[] {
    if (this.mode === 'sniff') {
      if (from === 'server')
        this.mode = 'raw'; // the server spoke first: not HTTP
      else {
        this.sniffed = Buffer.concat([this.sniffed, bytes]);
        const start = this.sniffed.toString('latin1', 0, 11);
        // RFC 8446 §5.1: a TLS connection opens with a handshake record, type 22, version 3.x.
        if (this.sniffed[0] === 22 && (this.sniffed.length < 2 || this.sniffed[1] === 3)) {
          if (this.sniffed.length < 2) return [];
          this.mode = 'tls';
          this.tls = { client: new TlsScanner('client'), server: new TlsScanner('server') };
        } else if (REQUEST_START.test(start)) this.mode = 'http';
        else if (this.sniffed.length >= 11 || !/^[A-Z]*$/.test(start)) this.mode = 'raw';
        else return []; // `GE`: too early to tell
        bytes = this.sniffed;
      }
    }
    if (this.mode === 'raw') return [];
    if (this.mode === 'tls') return this.tls![from].feed(bytes);
    const scanner = this.frames[from];
    if (scanner) return this.scan(scanner, bytes);
    const { lines, rest } = this.lanes[from].feed(bytes);
    if (rest && this.frames[from]) lines.push(...this.scan(this.frames[from]!, rest));
    return lines;
  }

  /** The unmasked payloads of the masked frames that ended since the last call. */
  takeUnmasked(): UnmaskedPayload[] {
    const taken = this.unmasked;
    this.unmasked = [];
    return taken;
  }

  private scan(scanner: FrameScanner, bytes: Buffer): string[] {
    const frames = scanner.frames(bytes);
    for (const frame of frames) if (frame.unmasked) this.unmasked.push(frame.unmasked);
    return frames.map((frame) => frame.line);
  }

  /** Summary lines when `from` stopped sending (FIN or RST). */
  end(from: Side): string[] {
    return this.mode === 'http' && !this.frames[from] ? this.lanes[from].end() : [];
  }

  private responseFraming(head: Head): BodyFraming {
    const status = head.status ?? 0;
    // 1xx other than 101 is an interim response: the final one for the same request follows.
    const request = status >= 100 && status < 200 && status !== 101 ? this.pending[0] : this.pending.shift();
    if (status === 101) {
      // RFC 9110 §7.8: after 101 the connection speaks the protocol the Upgrade named.
      const websocket = request?.fields.some(([name, value]) => /^upgrade$/i.test(name) && /websocket/i.test(value));
      if (websocket) {
        this.frames.client = new FrameScanner();
        this.frames.server = new FrameScanner();
      } else this.mode = 'raw';
      return { kind: 'switch' };
    }
    const response = new HttpResponse(Buffer.alloc(0), 'HTTP/1.1', status, '', head.fields);
    try {
      const { framing, length } = framingOf(response, request?.method);
      if (framing === 'content-length') return { kind: 'length', length: length! };
      if (framing === 'chunked') return { kind: 'chunked' };
      if (framing === 'close') return { kind: 'close' };
      return { kind: 'none' };
    } catch {
      return { kind: 'close' }; // a Content-Length nobody can read: only the close can end it
    }
  }
}

/** A request's body: chunked if Transfer-Encoding says so, else Content-Length, else none (RFC 9112 §6.3). */
function requestFraming(head: Head, pending: Head[]): BodyFraming {
  pending.push(head);
  const value = (name: string) => head.fields.find(([n]) => n.toLowerCase() === name)?.[1];
  if (value('transfer-encoding')) return { kind: 'chunked' };
  const length = Number(value('content-length') ?? 0);
  return Number.isSafeInteger(length) && length > 0 ? { kind: 'length', length } : { kind: 'none' };
}

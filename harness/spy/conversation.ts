// What one relayed connection says, in the words of its protocol where spy can tell it: HTTP/1.1
// when the client opens with a request line, WebSocket frames after a 101 to an Upgrade, HTTP/2
// frames when the client opens with the HTTP/2 preface (h2c with prior knowledge, RFC 9113 §3.3)
// or the server with its SETTINGS, TLS records when the client opens with a handshake record (what
// an observer sees: spy cannot decrypt), and raw bytes otherwise (a TCP lesson's own protocol, or
// anything spy cannot follow). Each call returns the summary lines for the bytes just seen; the
// bytes themselves are shown as they are anyway. HTTP/2 bytes come back cut at frame edges, each
// piece with its stream, so that spy can show one lane per stream.
// The payloads of the client's masked WebSocket frames, unmasked, are handed over separately
// (takeUnmasked): on the wire they read as noise.

import { framingOf, HttpResponse } from '../wire/http.ts';
import { H2_PREFACE, H2Type } from '../wire/http2.ts';
import { H2View, type H2Piece } from '../wire/http2-view.ts';
import { HttpLane, type BodyFraming, type Head } from './http-lane.ts';
import type { Side } from './relay.ts';
import { TlsScanner } from './tls-lane.ts';
import { FrameScanner, type UnmaskedPayload } from './websocket-lane.ts';

/** `GET `, `OPTIONS `: a token and a space, the start of a request line (RFC 9112 §3). */
const REQUEST_START = /^[A-Z]{3,10} /;

/** Bytes and what they meant; `stream` set for HTTP/2 (0: the connection itself). */
export interface Piece {
  stream?: number;
  bytes: Buffer;
  lines: string[];
}

export class Conversation {
  private mode: 'sniff' | 'http' | 'tls' | 'h2' | 'raw' = 'sniff';
  private tls: Record<Side, TlsScanner> | undefined;
  private h2: H2View | undefined;
  private sniffed: Buffer = Buffer.alloc(0);
  /** What the server sent before the client said anything: HTTP/2's SETTINGS may come first (§3.4). */
  private serverFirst: Buffer = Buffer.alloc(0);
  /** Bytes of each side shown while sniffing that the HTTP/2 view has yet to hand back. */
  private shownWhileSniffing: Record<Side, number> = { client: 0, server: 0 };
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
    return this.pieces(from, bytes).flatMap((piece) => piece.lines);
  }

  /** The bytes `from` sent, in pieces (one per run of an HTTP/2 stream, else one), each with its summary lines. */
  pieces(from: Side, bytes: Buffer): Piece[] {
    if (this.mode === 'sniff') {
      const waiting = from === 'server' ? this.sniffServer(bytes) : this.sniffClient(bytes);
      if (waiting) return [{ bytes, lines: [] }];
      // Decided: the bytes held while sniffing were shown already; now they are read too.
      const mode = this.mode as string; // set by the sniffing just done
      const client = this.sniffed;
      const server = this.serverFirst;
      this.sniffed = this.serverFirst = Buffer.alloc(0);
      if (mode === 'h2') {
        // Both sides' held bytes are read now; the view hands each byte back once, perhaps later
        // (an unfinished frame header waits for its stream): what was shown already is left out then.
        const other = from === 'client' ? 'server' : 'client';
        const held = { client, server };
        this.shownWhileSniffing = { [from]: held[from].length - bytes.length, [other]: held[other].length } as Record<Side, number>;
        this.h2Pieces(other, held[other]);
        return this.h2Pieces(from, held[from]);
      }
      if (from === 'client' && (mode === 'http' || mode === 'tls')) return [{ bytes, lines: this.read('client', client) }];
      return [{ bytes, lines: [] }];
    }
    if (this.mode === 'h2') return this.h2Pieces(from, bytes);
    return [{ bytes, lines: this.read(from, bytes) }];
  }

  /** HTTP/2 pieces of `from`'s bytes, without those shown while sniffing. */
  private h2Pieces(from: Side, bytes: Buffer): Piece[] {
    const pieces = this.h2![from].feed(bytes);
    const shown = this.shownWhileSniffing[from];
    if (shown === 0) return pieces;
    const { kept, dropped } = dropFront(pieces, shown);
    this.shownWhileSniffing[from] -= dropped;
    return kept;
  }

  private read(from: Side, bytes: Buffer): string[] {
    if (this.mode === 'raw') return [];
    if (this.mode === 'tls') return this.tls![from].feed(bytes);
    const scanner = this.frames[from];
    if (scanner) return this.scan(scanner, bytes);
    const { lines, rest } = this.lanes[from].feed(bytes);
    if (rest && this.frames[from]) lines.push(...this.scan(this.frames[from]!, rest));
    return lines;
  }

  /** The client's first bytes (kept in `sniffed`): true while it is too early to tell what they are. */
  private sniffClient(bytes: Buffer): boolean {
    this.sniffed = Buffer.concat([this.sniffed, bytes]);
    const start = this.sniffed.toString('latin1', 0, 11);
    const preface = this.sniffed.subarray(0, H2_PREFACE.length);
    // RFC 8446 §5.1: a TLS connection opens with a handshake record, type 22, version 3.x.
    if (this.sniffed[0] === 22 && (this.sniffed.length < 2 || this.sniffed[1] === 3)) {
      if (this.sniffed.length < 2) return true;
      this.mode = 'tls';
      this.tls = { client: new TlsScanner('client'), server: new TlsScanner('server') };
    } else if (preface.equals(H2_PREFACE.subarray(0, preface.length))) {
      // RFC 9113 §3.4: `PRI * HTTP/2.0` would pass for a request line; the whole preface decides.
      if (preface.length < H2_PREFACE.length) return true;
      this.startH2();
    } else if (REQUEST_START.test(start)) this.mode = 'http';
    else if (this.sniffed.length >= 11 || !/^[A-Z]*$/.test(start)) this.mode = 'raw';
    else return true; // `GE`: too early to tell
    return false;
  }

  /**
   * The server spoke first (kept in `serverFirst`): HTTP/2 when it is a SETTINGS frame on stream 0,
   * the server's preface (§3.4), which may overtake the client's; anything else is not HTTP.
   */
  private sniffServer(bytes: Buffer): boolean {
    this.serverFirst = Buffer.concat([this.serverFirst, bytes]);
    const head = this.serverFirst;
    const settings =
      (head.length < 4 || head[3] === H2Type.SETTINGS) && head.subarray(4, 9).every((b) => b === 0) && (head.length < 3 || head.readUIntBE(0, 3) % 6 === 0);
    if (!settings) this.mode = 'raw';
    else if (head.length < 9) return true;
    else this.startH2();
    return false;
  }

  private startH2(): void {
    this.mode = 'h2';
    this.h2 = new H2View();
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
    if (this.mode === 'h2') return this.h2![from].end().flatMap((piece) => piece.lines);
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

/** The pieces without their first `count` bytes (shown before), their lines kept; and how many were dropped. */
function dropFront(pieces: H2Piece[], count: number): { kept: Piece[]; dropped: number } {
  let left = count;
  const kept: Piece[] = [];
  for (const piece of pieces) {
    const drop = Math.min(left, piece.bytes.length);
    left -= drop;
    if (drop < piece.bytes.length || piece.lines.length > 0) kept.push({ ...piece, bytes: piece.bytes.subarray(drop) });
  }
  return { kept, dropped: count - left };
}

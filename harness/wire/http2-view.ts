// HTTP/2 as an observer reads it (RFC 9113, RFC 7541), for `learn spy` and `learn probe`: the
// bytes of each direction cut into frames as they pass, each frame said in one line (type, stream,
// flags by name, length, and what its payload means), and header blocks decoded with one HPACK
// decoder per direction (the test peer's own, wire/hpack.ts). Nothing here ever throws on what a
// peer sends: a frame spy cannot read is shown in hex and the next one is read.
//
// The bytes are handed back cut at frame edges, each piece with the stream its frame is on, so a
// caller can show one lane per stream. Payloads are held only as long as the frame lasts, and
// only what is needed: a DATA frame keeps a preview; header blocks are kept whole (up to a bound),
// since the decoder must see every octet of every block to keep its table in step.

import { byteCount, escapeByte, looksLikeText, quote } from './bytes.ts';
import { H2HeaderDecoder } from './hpack.ts';
import { h2FlagNames, H2_ERROR_NAMES, H2_PREFACE, H2_SETTING_NAMES, H2_TYPE_NAMES, H2Type } from './http2.ts';
import { PREVIEW_BYTES, quoteBytes, quoteText } from './text-preview.ts';

/** §6.5, §6.7, §6.8: frames about the connection as a whole; §6.1–§6.4, §6.6, §6.10: frames of one stream. */
const CONNECTION_ONLY = new Set<number>([H2Type.SETTINGS, H2Type.PING, H2Type.GOAWAY]);
const ON_A_STREAM = new Set<number>([H2Type.DATA, H2Type.HEADERS, H2Type.PRIORITY, H2Type.RST_STREAM, H2Type.PUSH_PROMISE, H2Type.CONTINUATION]);

/** Payload octets kept of a frame that is neither DATA nor part of a header block. */
const KEEP_OTHER = 16 * 1024;
/** A header block larger than this is not decoded (the table of that direction is then lost). */
const MAX_BLOCK = 1024 * 1024;
/** Octets of a frame shown in hex when it cannot be read. */
const HEX_SHOWN = 64;

/** Bytes of one direction, cut at frame edges: the stream they are on (0: the connection), and lines for what ended in them. */
export interface H2Piece {
  stream: number;
  bytes: Buffer;
  lines: string[];
}

export type H2Side = 'client' | 'server';

interface FrameInProgress {
  length: number;
  type: number;
  flags: number;
  stream: number;
  seen: number;
  kept: Buffer[];
  keptSize: number;
  keep: number;
}

/** One connection: both directions, each with its own HPACK decoder. */
export class H2View {
  readonly decoders: Record<H2Side, H2HeaderDecoder> = { client: new H2HeaderDecoder(), server: new H2HeaderDecoder() };
  /** The largest frame each side may be sent: what the other announced in SETTINGS_MAX_FRAME_SIZE (§4.2, §6.5.2). */
  readonly maxFrameSize: Record<H2Side, number> = { client: 16384, server: 16384 };
  readonly client: H2Direction;
  readonly server: H2Direction;

  /** `clientPreface`: whether the client's bytes start with the preface (false when a caller strips it). */
  constructor(clientPreface = true) {
    this.client = new H2Direction(this, 'client', clientPreface);
    this.server = new H2Direction(this, 'server', false);
  }
}

/** The frames one side sends. */
export class H2Direction {
  private prefaceSeen = 0;
  private header: Buffer = Buffer.alloc(0);
  private frame: FrameInProgress | undefined;
  /** A header block in progress: its stream and fragments (§6.10: CONTINUATION frames follow until END_HEADERS). */
  private block: { stream: number; parts: Buffer[]; size: number } | undefined;
  private decoderLost = false;

  constructor(
    private readonly view: H2View,
    private readonly side: H2Side,
    private expectPreface: boolean,
  ) {}

  /** Reads bytes; returns them cut at frame edges, with lines for every frame that ended in them. */
  feed(bytes: Buffer): H2Piece[] {
    // Runs of one stream's frames become one piece; their parts are joined once, at the end.
    const runs: Array<{ stream: number; parts: Buffer[]; lines: string[] }> = [];
    const emit = (stream: number, part: Buffer, lines: string[]) => {
      const last = runs.at(-1);
      if (last?.stream !== stream) return void runs.push({ stream, parts: [part], lines: [...lines] });
      last.parts.push(part);
      last.lines.push(...lines);
    };
    let rest = bytes;
    if (this.expectPreface) {
      const take = Math.min(rest.length, H2_PREFACE.length - this.prefaceSeen);
      const part = rest.subarray(0, take);
      const matches = part.equals(H2_PREFACE.subarray(this.prefaceSeen, this.prefaceSeen + take));
      this.prefaceSeen += take;
      rest = rest.subarray(take);
      if (!matches) {
        this.expectPreface = false;
        emit(0, part, [`expected the client preface ${quote(H2_PREFACE)} (RFC 9113 §3.4), received ${quote(part)}: reading frames from here`]);
      } else if (this.prefaceSeen === H2_PREFACE.length) {
        this.expectPreface = false;
        emit(0, part, [`HTTP/2 client preface ${quote(H2_PREFACE)} (RFC 9113 §3.4)`]);
      } else emit(0, part, []);
    }
    while (rest.length > 0) {
      if (!this.frame) {
        const take = Math.min(rest.length, 9 - this.header.length);
        this.header = Buffer.concat([this.header, rest.subarray(0, take)]);
        rest = rest.subarray(take);
        if (this.header.length < 9) break; // held until the frame's stream is known
        this.frame = this.startFrame(this.header);
        emit(this.frame.stream, this.header, []);
        this.header = Buffer.alloc(0);
      }
      const frame = this.frame;
      const take = Math.min(rest.length, frame.length - frame.seen);
      const part = rest.subarray(0, take);
      if (frame.keptSize < frame.keep) {
        const kept = Buffer.from(part.subarray(0, frame.keep - frame.keptSize)); // a copy: the chunk is the socket's
        frame.kept.push(kept);
        frame.keptSize += kept.length;
      }
      frame.seen += take;
      rest = rest.subarray(take);
      const done = frame.seen === frame.length;
      if (done) this.frame = undefined;
      emit(frame.stream, part, done ? this.describe(frame) : []);
    }
    return runs.map(({ stream, parts, lines }) => ({ stream, bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts), lines }));
  }

  /** The connection ended: bytes held for a frame header that never completed, and a frame cut off. */
  end(): H2Piece[] {
    const lines: string[] = [];
    if (this.frame) lines.push(`the connection ended inside a frame: ${this.frame.seen} of its ${this.frame.length} payload bytes had come`);
    if (this.header.length > 0) lines.push(`the connection ended inside a frame header: ${this.header.length} of its 9 bytes had come`);
    if (this.expectPreface && this.prefaceSeen > 0) lines.push(`the connection ended inside the client preface (${this.prefaceSeen} of 24 bytes)`);
    const piece = { stream: this.frame?.stream ?? 0, bytes: this.header, lines };
    this.header = Buffer.alloc(0);
    this.frame = undefined;
    return lines.length ? [piece] : [];
  }

  private startFrame(head: Buffer): FrameInProgress {
    const length = head.readUIntBE(0, 3);
    const type = head[3]!;
    const inBlock = type === H2Type.HEADERS || type === H2Type.CONTINUATION || type === H2Type.PUSH_PROMISE;
    const keep = type === H2Type.DATA ? PREVIEW_BYTES + 1 : inBlock ? MAX_BLOCK : KEEP_OTHER;
    return { length, type, flags: head[4]!, stream: head.readUInt32BE(5) & 0x7fffffff, seen: 0, kept: [], keptSize: 0, keep };
  }

  /** The frame's line, and what its payload means. */
  private describe(frame: FrameInProgress): string[] {
    const payload = Buffer.concat(frame.kept);
    const name = H2_TYPE_NAMES[frame.type];
    const flags = h2FlagNames(frame.type, frame.flags);
    const head = `HTTP/2 ${name ?? `frame of unknown type 0x${frame.type.toString(16)}`}${name ? ' frame' : ''} · stream ${frame.stream}${flags ? ` · ${flags}` : ''} · ${exactly(frame.length)}`;
    try {
      const { detail = '', more = [] } = this.meaning(frame, payload);
      return [head + detail, ...this.broken(frame), ...more];
    } catch (error) {
      // A payload that breaks its frame's rules: said, shown in hex, and the next frame is read.
      return [`${head}: ${(error as Error).message}: ${hex(payload, frame.length)}`];
    }
  }

  /** The rules of the frame header a receiver must enforce (a connection error each), where this frame breaks one. */
  private broken({ type, stream, length }: FrameInProgress): string[] {
    const name = H2_TYPE_NAMES[type];
    const lines: string[] = [];
    if (CONNECTION_ONLY.has(type) && stream !== 0) lines.push(`a ${name} frame belongs to stream 0, not ${stream}: a PROTOCOL_ERROR (RFC 9113 §6)`);
    if (ON_A_STREAM.has(type) && stream === 0) lines.push(`a ${name} frame belongs to a stream, never to stream 0: a PROTOCOL_ERROR (RFC 9113 §6)`);
    const limit = this.view.maxFrameSize[this.side === 'client' ? 'server' : 'client'];
    if (length > limit)
      lines.push(`${exactly(length)}, over the ${limit} octets the receiver allows (SETTINGS_MAX_FRAME_SIZE): a FRAME_SIZE_ERROR (RFC 9113 §4.2)`);
    return lines;
  }

  private meaning(frame: FrameInProgress, payload: Buffer): { detail?: string; more?: string[] } {
    const { type, flags, length } = frame;
    switch (type) {
      case H2Type.DATA: {
        const { start, padding } = unpad(payload, flags, length, 0);
        const size = length - start - padding;
        const shown = payload.subarray(start, start + Math.min(size, PREVIEW_BYTES));
        const preview = size === 0 ? '' : `: ${textual(shown, size) ? quoteText(shown, size) : quoteBytes(shown, size)}`;
        return { detail: `${padding || flags & 0x8 ? ` (${padding} bytes of padding)` : ''}${preview}` };
      }
      case H2Type.HEADERS: {
        const { start, padding } = unpad(payload, flags, length, flags & 0x20 ? 5 : 0);
        const priority = flags & 0x20 ? `: ${describePriority(payload.subarray(start - 5, start))}` : '';
        return { detail: priority, more: this.fragment(frame.stream, payload.subarray(start, length - padding), flags & 0x4, false) };
      }
      case H2Type.CONTINUATION:
        return { more: this.fragment(frame.stream, payload, flags & 0x4, true) };
      case H2Type.PUSH_PROMISE: {
        const { start, padding } = unpad(payload, flags, length, 4);
        const promised = payload.readUInt32BE(start - 4) & 0x7fffffff;
        return { detail: `: promises stream ${promised}`, more: this.fragment(frame.stream, payload.subarray(start, length - padding), flags & 0x4, false) };
      }
      case H2Type.PRIORITY:
        if (length !== 5) throw new Error('a PRIORITY payload is 5 bytes (§6.3)');
        return { detail: `: ${describePriority(payload)}` };
      case H2Type.RST_STREAM:
        if (length !== 4) throw new Error('an RST_STREAM payload is 4 bytes (§6.4)');
        return { detail: `: ${errorName(payload.readUInt32BE(0))}` };
      case H2Type.SETTINGS:
        return this.settings(flags, payload, length);
      case H2Type.PING:
        if (length !== 8) throw new Error('a PING payload is 8 bytes (§6.7)');
        return { detail: `: ${payload.toString('hex')}` };
      case H2Type.GOAWAY: {
        if (length < 8) throw new Error('a GOAWAY payload is at least 8 bytes (§6.8)');
        const debug = payload.subarray(8, Math.min(length, 8 + PREVIEW_BYTES));
        const text = length > 8 ? ` · debug ${textual(debug, length - 8) ? quoteText(debug, length - 8) : quoteBytes(debug, length - 8)}` : '';
        return { detail: `: last stream ${payload.readUInt32BE(0) & 0x7fffffff} · ${errorName(payload.readUInt32BE(4))}${text}` };
      }
      case H2Type.WINDOW_UPDATE: {
        if (length !== 4) throw new Error('a WINDOW_UPDATE payload is 4 bytes (§6.9)');
        const increment = payload.readUInt32BE(0) & 0x7fffffff;
        return { detail: `: increment ${increment}${increment === 0 ? ' (0 is a PROTOCOL_ERROR, §6.9)' : ''}` };
      }
      default:
        return { detail: ` (ignored by the receiver, §5.5)${length ? `: ${hex(payload, length)}` : ''}` };
    }
  }

  private settings(flags: number, payload: Buffer, length: number): { detail?: string } {
    if (flags & 0x1) return { detail: length === 0 ? '' : ': an ACK carries no settings (FRAME_SIZE_ERROR, §6.5)' };
    if (length % 6 !== 0) throw new Error('a SETTINGS payload is a multiple of 6 bytes (§6.5)');
    if (length === 0) return { detail: ': none (every default stands)' };
    const said: string[] = [];
    for (let at = 0; at + 6 <= payload.length; at += 6) {
      const id = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      said.push(`${H2_SETTING_NAMES[id] ?? `unknown 0x${id.toString(16)}`} ${value}`);
      // The sender's HEADER_TABLE_SIZE bounds the table of the blocks sent to it (RFC 7541 §4.2).
      if (id === 0x1) {
        const decoder = this.view.decoders[this.side === 'client' ? 'server' : 'client'];
        decoder.maxTableSize = Math.max(decoder.maxTableSize, value);
      }
      // The frames this side may be sent; spy allows the larger until the ACK would settle it.
      if (id === 0x5 && value >= 16384 && value < 2 ** 24) this.view.maxFrameSize[this.side] = Math.max(this.view.maxFrameSize[this.side], value);
    }
    return { detail: `: ${said.join(', ')}` };
  }

  /** A fragment of a header block; when it ends the block (END_HEADERS), the block decoded. */
  private fragment(stream: number, part: Buffer, endHeaders: number, continuation: boolean): string[] {
    const lines: string[] = [];
    if (continuation && this.block?.stream !== stream) {
      lines.push(`no header block is in progress on stream ${stream} (a PROTOCOL_ERROR, §6.10)`);
      this.block = undefined;
    }
    if (!continuation) {
      if (this.block) lines.push(`the header block on stream ${this.block.stream} never ended (no END_HEADERS): a PROTOCOL_ERROR (§6.10)`);
      this.block = { stream, parts: [], size: 0 };
    }
    if (!this.block) return lines;
    this.block.parts.push(part);
    this.block.size += part.length;
    if (!endHeaders) return lines;
    const block = Buffer.concat(this.block.parts);
    this.block = undefined;
    return [...lines, ...this.decode(block)];
  }

  private decode(block: Buffer): string[] {
    if (this.decoderLost) return [`header block of ${byteCount(block.length)} not decoded: an earlier block could not be, so spy's table no longer matches`];
    if (block.length >= MAX_BLOCK) {
      this.decoderLost = true;
      return [`header block of ${byteCount(block.length)} or more: more than spy decodes`];
    }
    try {
      const fields = this.view.decoders[this.side].decode(block);
      return fields.map(([name, value]) => `  ${escape(name)}: ${escape(value)}`);
    } catch (error) {
      this.decoderLost = true;
      return [`header block not decoded: ${(error as Error).message} (RFC 7541; a COMPRESSION_ERROR, RFC 9113 §4.3): ${hex(block, block.length)}`];
    }
  }
}

/** §6.1, §6.2: a Pad Length octet first when PADDED; `fixed` octets of fields after it. */
function unpad(payload: Buffer, flags: number, length: number, fixed: number): { start: number; padding: number } {
  const padded = (flags & 0x8) !== 0;
  const start = (padded ? 1 : 0) + fixed;
  if (length < start) throw new Error(`too short for its flags: ${start} bytes of fields needed`);
  const padding = padded ? payload[0]! : 0;
  if (padding > length - start) throw new Error(`${padding} bytes of padding in a payload of ${length} (a PROTOCOL_ERROR, §6.1)`);
  return { start, padding };
}

function describePriority(bytes: Buffer): string {
  const exclusive = bytes[0]! & 0x80 ? ', exclusive' : '';
  return `depends on stream ${bytes.readUInt32BE(0) & 0x7fffffff}${exclusive}, weight ${bytes[4]! + 1}`;
}

function errorName(code: number): string {
  return `${H2_ERROR_NAMES[code] ?? 'unknown error code'} (0x${code.toString(16)})`;
}

/** Text, when the bytes read as UTF-8 text (a preview may cut the last character in two). */
function textual(shown: Buffer, total: number): boolean {
  const cut = total > shown.length ? 3 : 0;
  for (let k = 0; k <= cut && k < shown.length; k++) if (looksLikeText(shown.subarray(0, shown.length - k))) return true;
  return false;
}

/** A field name or value: printable ASCII as it is, any other octet escaped (`\r`, `\xff`). */
function escape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += code >= 0x20 && code < 0x7f ? text[i] : escapeByte(code);
  }
  return out;
}

/** A frame's length as its header gives it, to the octet (`16385 bytes`, not `16.0 KiB`). */
function exactly(length: number): string {
  return `${length} ${length === 1 ? 'byte' : 'bytes'}`;
}

function hex(bytes: Buffer, total: number): string {
  const shown = bytes
    .subarray(0, HEX_SHOWN)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
  return `${shown}${total > HEX_SHOWN ? ` … (${byteCount(total)})` : ''}`;
}

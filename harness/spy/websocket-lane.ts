// WebSocket frames in one direction of a relayed connection, decoded as they pass (RFC 6455 §5.2)
// without holding their payloads: the header is read field by field, the payload only counted,
// keeping its first bytes, unmasked, for a preview, a close frame's status code, and (for a
// client's masked frames, whose bytes on the wire read as noise) the page's view of the payload.
// A text message's payload is shown as text, whether in one frame or continued over several.

import { CLOSE_CODE_NAMES, OPCODE_NAMES, Opcode } from '../wire/websocket.ts';
import { PREVIEW_BYTES, quoteBytes, quoteText } from '../wire/text-preview.ts';

/** Payload bytes kept per frame, unmasked: the preview's, and the page's view of a masked payload. */
const KEEP = Math.max(PREVIEW_BYTES, 4096);

/** A frame that ended, said in one line; a masked one with its payload unmasked (the first KEEP bytes). */
export interface FrameSeen {
  line: string;
  unmasked?: UnmaskedPayload;
}

export interface UnmaskedPayload {
  /** The frame's summary line, to say which frame it is. */
  frame: string;
  bytes: Buffer;
  /** The payload's whole length (more than `bytes` when it was longer than what is kept). */
  size: number;
  /** UTF-8 text: a text frame or a continuation of a text message. */
  text: boolean;
}

interface FrameInProgress {
  fin: boolean;
  rsv: number;
  opcode: number;
  mask: Buffer | undefined;
  /** The payload length from the header, and how much of it has passed. */
  length: number;
  seen: number;
  /** The first payload bytes, unmasked. */
  preview: Buffer[];
  /** Text (a text frame, or a continuation of a text message), else bytes. */
  text: boolean;
}

export class FrameScanner {
  private head: Buffer = Buffer.alloc(0);
  private frame: FrameInProgress | undefined;
  /** The opcode of the message whose continuation frames are still to come (§5.4), if any. */
  private message: number | undefined;

  /** Feeds bytes; returns each frame that ended in them. */
  frames(bytes: Buffer): FrameSeen[] {
    const lines: FrameSeen[] = [];
    let rest = bytes;
    while (rest.length > 0) {
      if (!this.frame) {
        this.head = Buffer.concat([this.head, rest]);
        rest = Buffer.alloc(0);
        const size = headerSize(this.head);
        if (size === undefined || this.head.length < size) break;
        this.frame = parseHeader(this.head);
        this.frame.text = this.startsText(this.frame);
        rest = this.head.subarray(size);
        this.head = Buffer.alloc(0);
      }
      const frame = this.frame;
      const take = Math.min(rest.length, frame.length - frame.seen);
      const kept = frame.preview.reduce((n, b) => n + b.length, 0);
      if (kept < KEEP) frame.preview.push(unmask(rest.subarray(0, Math.min(take, KEEP - kept)), frame.mask, frame.seen));
      frame.seen += take;
      rest = rest.subarray(take);
      if (frame.seen === frame.length) {
        lines.push(seen(frame));
        this.frame = undefined;
      }
    }
    return lines;
  }

  /** Whether a frame's payload is text, following the message it belongs to (§5.4, §5.6). */
  private startsText(frame: FrameInProgress): boolean {
    if (frame.opcode >= 0x8) return false; // control frames come between fragments and do not end the message
    const opcode = frame.opcode === Opcode.continuation ? this.message : frame.opcode;
    this.message = frame.fin ? undefined : opcode;
    return opcode === Opcode.text;
  }
}

/** Payload bytes as they mean: XOR with the mask from payload offset `offset` on (§5.3). */
function unmask(bytes: Buffer, mask: Buffer | undefined, offset: number): Buffer {
  const out = Buffer.from(bytes); // a copy: the chunk's memory is the socket's
  if (mask) for (let i = 0; i < out.length; i++) out[i]! ^= mask[(offset + i) & 3]!;
  return out;
}

/** Bytes the header takes, once the first two are known (§5.2: extended length, then the mask). */
function headerSize(bytes: Buffer): number | undefined {
  if (bytes.length < 2) return undefined;
  const code = bytes[1]! & 0x7f;
  return 2 + (code === 126 ? 2 : code === 127 ? 8 : 0) + (bytes[1]! & 0x80 ? 4 : 0);
}

function parseHeader(bytes: Buffer): FrameInProgress {
  const code = bytes[1]! & 0x7f;
  const lengthBytes = code === 126 ? 2 : code === 127 ? 8 : 0;
  const length = code === 126 ? bytes.readUInt16BE(2) : code === 127 ? Number(bytes.readBigUInt64BE(2)) : code;
  const masked = (bytes[1]! & 0x80) !== 0; // MASK
  return {
    fin: (bytes[0]! & 0x80) !== 0, // FIN
    rsv: (bytes[0]! & 0x70) >> 4, // RSV1-3
    opcode: bytes[0]! & 0x0f,
    mask: masked ? Buffer.from(bytes.subarray(2 + lengthBytes, 6 + lengthBytes)) : undefined,
    length,
    seen: 0,
    preview: [],
    text: false,
  };
}

function seen(frame: FrameInProgress): FrameSeen {
  const payload = Buffer.concat(frame.preview);
  const line = describe(frame, payload);
  if (!frame.mask || frame.length === 0) return { line };
  return { line, unmasked: { frame: line, bytes: payload, size: frame.length, text: frame.text } };
}

/** `WebSocket text frame · FIN · masked · 5 bytes: "hello"`, `… close frame · 1000 (normal closure) "bye"`. */
function describe(frame: FrameInProgress, payload: Buffer): string {
  const name = OPCODE_NAMES[frame.opcode] ?? `opcode 0x${frame.opcode.toString(16)}`;
  const flags = [frame.fin ? 'FIN' : 'not FIN', frame.rsv ? `RSV ${frame.rsv}` : '', frame.mask ? 'masked' : 'unmasked'].filter(Boolean);
  let body = `${frame.length} ${frame.length === 1 ? 'byte' : 'bytes'}`;
  if (frame.opcode === Opcode.close) {
    // §5.5.1: a close body is empty or a 2-byte status code and a UTF-8 reason.
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
    const reason = payload.subarray(2);
    if (code !== undefined) body = `${code}${CLOSE_CODE_NAMES[code] ? ` (${CLOSE_CODE_NAMES[code]})` : ''}${reason.length ? ` ${quoteText(reason)}` : ''}`;
    else if (frame.length === 0) body = 'no status code';
  } else if (frame.length > 0) {
    const shown = payload.subarray(0, PREVIEW_BYTES);
    body += `: ${frame.text ? quoteText(shown, frame.length) : quoteBytes(shown, frame.length)}`;
  }
  return `WebSocket ${name} frame · ${flags.join(' · ')} · ${body}`;
}

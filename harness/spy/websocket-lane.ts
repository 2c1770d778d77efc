// WebSocket frames in one direction of a relayed connection, decoded as they pass (RFC 6455 §5.2)
// without holding their payloads: the header is read field by field, the payload only counted,
// keeping its first bytes (unmasked) for a preview and a close frame's status code.

import { CLOSE_CODE_NAMES, OPCODE_NAMES, Opcode, applyMask, quotePayload } from '../wire/websocket.ts';

/** Payload bytes kept for the preview (a close body is at most 125 bytes, §5.5). */
const PREVIEW = 125;

interface FrameInProgress {
  fin: boolean;
  rsv: number;
  opcode: number;
  mask: Buffer | undefined;
  /** The payload length from the header, and how much of it has passed. */
  length: number;
  seen: number;
  preview: Buffer[];
}

export class FrameScanner {
  private head: Buffer = Buffer.alloc(0);
  private frame: FrameInProgress | undefined;

  /** Feeds bytes; returns one line per frame that ended in them. */
  feed(bytes: Buffer): string[] {
    const lines: string[] = [];
    let rest = bytes;
    while (rest.length > 0) {
      if (!this.frame) {
        this.head = Buffer.concat([this.head, rest]);
        rest = Buffer.alloc(0);
        const size = headerSize(this.head);
        if (size === undefined || this.head.length < size) break;
        this.frame = parseHeader(this.head);
        rest = this.head.subarray(size);
        this.head = Buffer.alloc(0);
      }
      const frame = this.frame;
      const take = Math.min(rest.length, frame.length - frame.seen);
      const kept = frame.preview.reduce((n, b) => n + b.length, 0);
      if (kept < PREVIEW) frame.preview.push(Buffer.from(rest.subarray(0, Math.min(take, PREVIEW - kept))));
      frame.seen += take;
      rest = rest.subarray(take);
      if (frame.seen === frame.length) {
        lines.push(describe(frame));
        this.frame = undefined;
      }
    }
    return lines;
  }
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
  };
}

/** `WebSocket text frame · FIN · masked · 5 bytes: "hello"`, `… close frame · 1000 (normal closure) "bye"`. */
function describe(frame: FrameInProgress): string {
  const raw = Buffer.concat(frame.preview);
  const payload = frame.mask ? applyMask(raw, frame.mask) : raw;
  const name = OPCODE_NAMES[frame.opcode] ?? `opcode 0x${frame.opcode.toString(16)}`;
  const flags = [frame.fin ? 'FIN' : 'not FIN', frame.rsv ? `RSV ${frame.rsv}` : '', frame.mask ? 'masked' : 'unmasked'].filter(Boolean);
  let body = `${frame.length} ${frame.length === 1 ? 'byte' : 'bytes'}`;
  if (frame.opcode === Opcode.close) {
    // §5.5.1: a close body is empty or a 2-byte status code and a UTF-8 reason.
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
    const reason = payload.subarray(2);
    if (code !== undefined) body = `${code}${CLOSE_CODE_NAMES[code] ? ` (${CLOSE_CODE_NAMES[code]})` : ''}${reason.length ? ` ${quotePayload(reason)}` : ''}`;
    else if (frame.length === 0) body = 'no status code';
  } else if (frame.length > 0) {
    body += `: ${quotePayload(payload)}`;
  }
  return `WebSocket ${name} frame · ${flags.join(' · ')} · ${body}`;
}

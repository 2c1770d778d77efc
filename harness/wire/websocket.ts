// WebSocket frames (RFC 6455 §5.2), for the checks of Part 6: the client side encodes (always
// masked, §5.3) and the server's frames are decoded as they arrive.
//
//   byte 0: FIN (0x80) | RSV1-3 (0x70) | opcode (0x0f)
//   byte 1: MASK (0x80) | payload length (0x7f): 0–125, or 126 → 16-bit length, 127 → 64-bit
//   then the masking key (4 bytes, if MASK), then the payload

import { randomBytes } from 'node:crypto';
import type { RawClient, ReadOptions } from './client.ts';

export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

export interface EncodeOptions {
  fin?: boolean;
  /** The masking key; random by default. `null` sends the frame unmasked (a protocol error from a client). */
  mask?: Buffer | null;
  rsv?: number;
}

/** A client frame, masked as RFC 6455 §5.3 requires (unless told otherwise, to test rejections). */
export function encodeFrame(opcode: number, payload: Buffer | string, options: EncodeOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = options.mask === undefined ? randomBytes(4) : options.mask;
  const lengthBytes = data.length < 126 ? 0 : data.length < 0x10000 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  head[0] = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode; // FIN | RSV | opcode
  const lengthCode = lengthBytes === 0 ? data.length : lengthBytes === 2 ? 126 : 127;
  head[1] = (mask ? 0x80 : 0) | lengthCode; // MASK | payload length
  if (lengthBytes === 2) head.writeUInt16BE(data.length, 2);
  if (lengthBytes === 8) head.writeBigUInt64BE(BigInt(data.length), 2);
  if (!mask) return Buffer.concat([head, data]);
  mask.copy(head, 2 + lengthBytes);
  return Buffer.concat([head, applyMask(data, mask)]);
}

/** XORs every byte with the key, byte i with key[i % 4] (§5.3). Masking and unmasking are the same. */
export function applyMask(data: Buffer, mask: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ mask[i & 3]!;
  return out;
}

/**
 * Decodes one frame from the start of `bytes`: the frame and how many bytes it took, or undefined
 * when the bytes hold only part of a frame so far.
 */
export function decodeFrame(bytes: Buffer): { frame: Frame; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const masked = (bytes[1]! & 0x80) !== 0;
  let length = bytes[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    const big = bytes.readBigUInt64BE(2);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`frame length ${big} is beyond what a check will read`);
    length = Number(big);
    offset = 10;
  }
  const mask = masked ? bytes.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (bytes.length < offset + length) return undefined;
  const raw = bytes.subarray(offset, offset + length);
  const frame: Frame = {
    fin: (bytes[0]! & 0x80) !== 0,
    rsv: (bytes[0]! & 0x70) >> 4,
    opcode: bytes[0]! & 0x0f,
    masked,
    payload: mask ? applyMask(raw, mask) : Buffer.from(raw),
  };
  return { frame, size: offset + length };
}

/** A close frame's payload: a 2-byte status code and a UTF-8 reason (§5.5.1). */
export function closePayload(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

/** The first part of a frame on the wire: the 2-byte header and the extended length, if any. */
export interface FrameHeader {
  head: Buffer;
  extended: Buffer;
  /** The payload length the header announces. */
  length: number;
}

/** Reads a frame's header and extended length (RFC 6455 §5.2), field by field, so that waits say what is missing. */
export async function readFrameHeader(client: RawClient, options: ReadOptions = {}, what = 'a WebSocket frame header (2 bytes)'): Promise<FrameHeader> {
  const head = await client.readExactly(2, options, what);
  const lengthCode = head[1]! & 0x7f;
  const extended =
    lengthCode === 126
      ? await client.readExactly(2, options, 'a 16-bit payload length')
      : lengthCode === 127
        ? await client.readExactly(8, options, 'a 64-bit payload length')
        : Buffer.alloc(0);
  const length = lengthCode < 126 ? lengthCode : lengthCode === 126 ? extended.readUInt16BE(0) : Number(extended.readBigUInt64BE(0));
  return { head, extended, length };
}

/** Reads the rest of a frame after its header (masking key, payload): the frame, and its bytes as they came. */
export async function readFrameBody(
  client: RawClient,
  { head, extended, length }: FrameHeader,
  options: ReadOptions = {},
): Promise<{ frame: Frame; raw: Buffer }> {
  const mask = head[1]! & 0x80 ? await client.readExactly(4, options, 'a masking key') : Buffer.alloc(0);
  const payload = await client.readExactly(length, options, `a payload of ${length} bytes`);
  const raw = Buffer.concat([head, extended, mask, payload]);
  return { frame: decodeFrame(raw)!.frame, raw };
}

/** Reads one whole frame from a client connection. */
export async function readFrame(client: RawClient, options: ReadOptions = {}): Promise<Frame> {
  return (await readFrameBody(client, await readFrameHeader(client, options), options)).frame;
}

/** Close codes by name (RFC 6455 §7.4.1), for messages. */
export const CLOSE_CODE_NAMES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unacceptable data',
  1005: 'no status received',
  1006: 'abnormal closure',
  1007: 'invalid data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'extension required',
  1011: 'internal error',
  1013: 'try again later',
};

export const OPCODE_NAMES: Record<number, string> = { 0x0: 'continuation', 0x1: 'text', 0x2: 'binary', 0x8: 'close', 0x9: 'ping', 0xa: 'pong' };

/** `a text frame "hello"`, `a close frame 1002 (protocol error) "bad"`, `a binary frame of 70000 bytes (not FIN)`. */
export function describeFrame(frame: Frame): string {
  const name = OPCODE_NAMES[frame.opcode] ?? `opcode 0x${frame.opcode.toString(16)}`;
  const flags = [frame.fin ? '' : 'not FIN', frame.rsv ? `RSV ${frame.rsv}` : '', frame.masked ? 'masked' : ''].filter(Boolean).join(', ');
  let body: string;
  if (frame.opcode === Opcode.close) {
    const { code, reason } = closeBodyOf(frame);
    body =
      code === undefined
        ? frame.payload.length === 0
          ? 'with no status code'
          : `with a ${frame.payload.length}-byte body`
        : `${code}${CLOSE_CODE_NAMES[code] ? ` (${CLOSE_CODE_NAMES[code]})` : ''}${reason.length > 0 ? ` ${quotePayload(reason)}` : ''}`;
  } else {
    body = frame.payload.length <= 40 ? quotePayload(frame.payload) : `of ${frame.payload.length} bytes`;
  }
  return `a ${name} frame ${body}${flags ? ` (${flags})` : ''}`;
}

/** A close frame's status code and reason; no code when the body is shorter than 2 bytes. */
export function closeBodyOf(frame: Frame): { code?: number; reason: Buffer } {
  if (frame.payload.length < 2) return { reason: Buffer.alloc(0) };
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2) };
}

/** A payload quoted for messages, the first 40 bytes: printable ASCII as is, the rest as \xNN. */
export function quotePayload(bytes: Buffer): string {
  let out = '"';
  for (const b of bytes.subarray(0, 40))
    out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return `${out}${bytes.length > 40 ? '…' : ''}"`;
}

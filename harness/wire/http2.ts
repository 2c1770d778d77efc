// HTTP/2 frames (RFC 9113 §4.1) for the checks of Part 8, written independently of any lesson's
// code: the check builds the client's frames byte by byte and reads the server's field by field.
//
//   octets 0-2  Length (24 bits)     octet 3  Type     octet 4  Flags
//   octets 5-8  R (1 bit) | Stream Identifier (31 bits)
//   then Length octets of payload

import type { RawClient, ReadOptions } from './client.ts';

/** §3.4: the client connection preface. */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** §11.2 frame types. */
export const H2Type = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** §7 error codes. */
export const H2Error = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

export const H2_ERROR_NAMES: Record<number, string> = Object.fromEntries(Object.entries(H2Error).map(([name, code]) => [code, name]));
export const H2_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(H2Type).map(([name, type]) => [type, name]));

/** §6.5.2 setting names. */
export const H2_SETTING_NAMES: Record<number, string> = {
  0x1: 'HEADER_TABLE_SIZE',
  0x2: 'ENABLE_PUSH',
  0x3: 'MAX_CONCURRENT_STREAMS',
  0x4: 'INITIAL_WINDOW_SIZE',
  0x5: 'MAX_FRAME_SIZE',
  0x6: 'MAX_HEADER_LIST_SIZE',
  0x8: 'ENABLE_CONNECT_PROTOCOL', // RFC 8441
  0x9: 'NO_RFC7540_PRIORITIES', // RFC 9218
};

/** Flag names by frame type (§6); a bit not named here is shown as a number. */
export const H2_FLAG_NAMES: Record<number, Array<[number, string]>> = {
  [H2Type.DATA]: [
    [0x1, 'END_STREAM'],
    [0x8, 'PADDED'],
  ],
  [H2Type.HEADERS]: [
    [0x1, 'END_STREAM'],
    [0x4, 'END_HEADERS'],
    [0x8, 'PADDED'],
    [0x20, 'PRIORITY'],
  ],
  [H2Type.SETTINGS]: [[0x1, 'ACK']],
  [H2Type.PUSH_PROMISE]: [
    [0x4, 'END_HEADERS'],
    [0x8, 'PADDED'],
  ],
  [H2Type.PING]: [[0x1, 'ACK']],
  [H2Type.CONTINUATION]: [[0x4, 'END_HEADERS']],
};

/** The flags of a frame of `type` by name, a bit with no name as a number (`END_STREAM flags 0x40`). */
export function h2FlagNames(type: number, flags: number): string {
  const names: string[] = [];
  let left = flags;
  for (const [bit, name] of H2_FLAG_NAMES[type] ?? []) if (flags & bit) ((left &= ~bit), names.push(name));
  if (left) names.push(`flags 0x${left.toString(16).padStart(2, '0')}`);
  return names.join(' ');
}

export interface H2Frame {
  length: number;
  type: number;
  flags: number;
  /** The 31-bit stream id. */
  streamId: number;
  /** The R bit as it came (a sender must leave it 0). */
  reserved: boolean;
  payload: Buffer;
  /** The frame's bytes as they came, header included. */
  raw: Buffer;
}

export interface H2FrameOptions {
  /** Sets the reserved R bit (the receiver must ignore it). */
  reserved?: boolean;
  /** Announces this length instead of the payload's (to test length handling). */
  length?: number;
}

/** One frame, byte by byte. */
export function h2Frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0), options: H2FrameOptions = {}): Buffer {
  const length = options.length ?? payload.length;
  const head = Buffer.from([
    (length >>> 16) & 0xff,
    (length >>> 8) & 0xff,
    length & 0xff,
    type,
    flags,
    ((streamId >>> 24) & 0x7f) | (options.reserved ? 0x80 : 0),
    (streamId >>> 16) & 0xff,
    (streamId >>> 8) & 0xff,
    streamId & 0xff,
  ]);
  return Buffer.concat([head, payload]);
}

/** A SETTINGS payload (§6.5.1): 16-bit id, 32-bit value, each. */
export function h2Settings(settings: ReadonlyArray<readonly [number, number]>): Buffer {
  const out = Buffer.alloc(settings.length * 6);
  settings.forEach(([id, value], i) => {
    out.writeUInt16BE(id, i * 6);
    out.writeUInt32BE(value, i * 6 + 2);
  });
  return out;
}

/** A SETTINGS frame (not an ACK) with these settings. */
export function h2SettingsFrame(settings: ReadonlyArray<readonly [number, number]> = []): Buffer {
  return h2Frame(H2Type.SETTINGS, 0, 0, h2Settings(settings));
}

/** The SETTINGS ACK, exactly: 00 00 00 04 01 00 00 00 00 (§6.5). */
export const H2_SETTINGS_ACK = Buffer.from('000000040100000000', 'hex');

/**
 * A request's HEADERS frame. The block is a valid HPACK encoding of GET http://x/ (static-table
 * indexes 2 `:method GET`, 6 `:scheme http`, 4 `:path /`, and `:authority` x as a literal), so a
 * real server could decode it; this lesson's server only skips it.
 */
export const H2_REQUEST_BLOCK = Buffer.from([0x82, 0x86, 0x84, 0x41, 0x01, 0x78]);

/** Reads one frame from the server, header then payload, each wait saying what it waits for. */
export async function readH2Frame(client: RawClient, options: ReadOptions = {}): Promise<H2Frame> {
  const head = await client.readExactly(9, options, 'an HTTP/2 frame header (9 octets)');
  const length = head.readUIntBE(0, 3);
  const payload = await client.readExactly(
    length,
    options,
    `the payload of a ${H2_TYPE_NAMES[head[3]!] ?? `type 0x${head[3]!.toString(16)}`} frame (${length} octets)`,
  );
  return {
    length,
    type: head[3]!,
    flags: head[4]!,
    streamId: head.readUInt32BE(5) & 0x7fffffff,
    reserved: (head[5]! & 0x80) !== 0,
    payload,
    raw: Buffer.concat([head, payload]),
  };
}

/** Names a frame for a message: `PING ACK, stream 0, 8 octets`. */
export function describeH2Frame(frame: H2Frame): string {
  const name = H2_TYPE_NAMES[frame.type] ?? `type 0x${frame.type.toString(16)}`;
  const ack = (frame.type === H2Type.SETTINGS || frame.type === H2Type.PING) && frame.flags & 1 ? ' ACK' : '';
  let text = `${name}${ack} (flags 0x${frame.flags.toString(16).padStart(2, '0')}, stream ${frame.streamId}, ${frame.length} octets)`;
  if (frame.type === H2Type.GOAWAY && frame.length >= 8) {
    const code = frame.payload.readUInt32BE(4);
    text += ` last-stream-id ${frame.payload.readUInt32BE(0) & 0x7fffffff}, ${H2_ERROR_NAMES[code] ?? 'code'} (0x${code.toString(16)})`;
  }
  return text;
}

// http2-frames: writing frames (RFC 9113 §4.1) and the payloads of the connection-level frames:
// SETTINGS (§6.5), PING (§6.7) and GOAWAY (§6.8).

/** One frame: the 9-octet header, then the payload. The R bit is always sent as 0 (§4.1). */
export function encodeFrame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  // TODO: a 9-octet header (Length in 24 bits, Type, Flags, then the stream id in 32 bits with the
  // R bit 0), then the payload.
  return Buffer.alloc(0);
}

/** §6.5.1: a SETTINGS payload, 6 octets a setting: a 16-bit identifier and a 32-bit value. */
export function encodeSettings(settings: ReadonlyArray<readonly [id: number, value: number]>): Buffer {
  // TODO: 6 octets a setting: the identifier in 16 bits, the value in 32, both big-endian.
  return Buffer.alloc(0);
}

/** §6.8: a GOAWAY payload: R | Last-Stream-ID (31 bits), Error Code (32 bits), debug data. */
export function encodeGoaway(lastStreamId: number, errorCode: number, debug = ''): Buffer {
  // TODO: the last stream id in 32 bits (R bit 0), the error code in 32 bits, then the debug data.
  return Buffer.alloc(0);
}

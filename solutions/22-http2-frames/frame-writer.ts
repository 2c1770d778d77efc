// http2-frames: writing frames (RFC 9113 §4.1) and the payloads of the connection-level frames:
// SETTINGS (§6.5), PING (§6.7) and GOAWAY (§6.8).

/** One frame: the 9-octet header, then the payload. The R bit is always sent as 0 (§4.1). */
export function encodeFrame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3); // Length, 24 bits
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId & 0x7fffffff, 5); // R (0) | Stream Identifier
  return Buffer.concat([header, payload]);
}

/** §6.5.1: a SETTINGS payload, 6 octets a setting: a 16-bit identifier and a 32-bit value. */
export function encodeSettings(settings: ReadonlyArray<readonly [id: number, value: number]>): Buffer {
  const payload = Buffer.alloc(settings.length * 6);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return payload;
}

/** §6.8: a GOAWAY payload: R | Last-Stream-ID (31 bits), Error Code (32 bits), debug data. */
export function encodeGoaway(lastStreamId: number, errorCode: number, debug = ''): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  payload.writeUInt32BE(errorCode, 4);
  return Buffer.concat([payload, Buffer.from(debug, 'utf8')]);
}

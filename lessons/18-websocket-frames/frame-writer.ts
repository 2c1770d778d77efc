// websocket-frames: writing frames (RFC 6455 §5.2), server side: FIN, the opcode, the payload
// length in the shortest of its three forms, and never a mask (§5.1).

/** The head of a frame: byte 0 (FIN, opcode), byte 1 (length or 126/127), the extended length. */
export function frameHead(opcode: number, length: number, fin = true): Buffer {
  // TODO: byte 0: FIN (0x80, when fin) | opcode. Byte 1: the length when it is below 126 (the MASK
  //       bit stays clear: a server never masks); else 126 and the length in 2 bytes, when it
  //       fits in 16 bits; else 127 and the length in 8 bytes. Both big-endian (network order).
  void fin;
  return Buffer.from([opcode, length & 0x7f]);
}

/** A whole frame: head and payload in one Buffer. */
export function encodeFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  return Buffer.concat([frameHead(opcode, payload.length, fin), payload]);
}

/** A close frame's body (§5.5.1): a 2-byte big-endian status code, then a UTF-8 reason. */
export function closePayload(code: number, reason = ''): Buffer {
  const text = Buffer.from(reason, 'utf8');
  // §5.5: the whole body fits in 125 bytes, so the reason in 123. A longer one is cut before the
  // first byte of a character, never inside its UTF-8 sequence (continuation bytes are 10xxxxxx):
  // half a character is not UTF-8 (§5.5.1), and the peer would fail the connection for it.
  let end = Math.min(text.length, 123);
  if (end < text.length) while (end > 0 && (text[end]! & 0xc0) === 0x80) end--;
  const body = Buffer.alloc(2 + end);
  body.writeUInt16BE(code, 0);
  text.copy(body, 2, 0, end);
  return body;
}

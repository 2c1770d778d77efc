// websocket-handshake: just enough of the frame format to show that a handshake worked. Each
// small masked frame from the client comes back unmasked: text as text, binary as binary, a ping
// as a pong; a close is answered with a close, and then the connection ends. Anything else ends
// it at once.
// websocket-frames writes the real reader and writer; this stays as it is.

import type { Conn } from '../02-socket-promises/socket.ts';
import { send } from '../08-http-response/response.ts';

/** Echoes frames of up to 125 bytes, starting with `start` (the bytes that came with the request). */
export async function echoFirstFrames(conn: Conn, start: Buffer): Promise<void> {
  let pending = start;
  for (;;) {
    // byte 0: FIN, RSV, opcode; byte 1: MASK, 7-bit length; then a 4-byte mask and the payload.
    const length = pending.length >= 2 ? pending[1]! & 0x7f : 0;
    if (pending.length < 2 || pending.length < 6 + length) {
      const chunk = await conn.read();
      if (chunk.length === 0) return;
      pending = Buffer.concat([pending, chunk]);
      continue;
    }
    const opcode = pending[0]! & 0x0f;
    const masked = (pending[1]! & 0x80) !== 0;
    if (!masked || length > 125 || (pending[0]! & 0xf0) !== 0x80) return conn.destroy(); // not for this small echo
    const mask = pending.subarray(2, 6);
    const payload = Buffer.from(pending.subarray(6, 6 + length));
    for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
    pending = pending.subarray(6 + length);
    // The server's frame: FIN, the same opcode (a pong for a ping), no mask, the same payload.
    if (![0x1, 0x2, 0x8, 0x9].includes(opcode)) return conn.destroy();
    await send(conn, Buffer.concat([Buffer.from([0x80 | (opcode === 0x9 ? 0xa : opcode), payload.length]), payload]));
    if (opcode === 0x8) return conn.end(); // a close: answered with the same close, then FIN
  }
}

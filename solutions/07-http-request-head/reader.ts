// http-request-head: the bytes of a connection that have arrived but are not used yet. A request head can
// come in pieces, and whatever follows it (a body, the next request) can come in the same read:
// all of it waits here until a parser takes exactly what it needs.

import type { Conn } from '../02-socket-promises/socket.ts';

export class BufferedReader {
  /** Bytes received and not yet consumed, oldest first. */
  buffer: Buffer = Buffer.alloc(0);

  constructor(readonly conn: Conn) {}

  /** Reads the next chunk from the connection onto the end of the buffer. False at EOF. */
  async fill(): Promise<boolean> {
    const chunk = await this.conn.read();
    if (chunk.length === 0) return false;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    return true;
  }

  /** Takes the first `n` buffered bytes; the rest stay for the next reader. */
  consume(n: number): Buffer {
    const taken = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return taken;
  }
}

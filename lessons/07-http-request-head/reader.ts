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
    // TODO: read the next chunk with this.conn.read() (your Conn from lesson 2). An empty chunk
    //       is EOF: return false. Otherwise append it to this.buffer and return true.
    return false;
  }

  /** Takes the first `n` buffered bytes; the rest stay for the next reader. */
  consume(n: number): Buffer {
    // TODO: return the first n bytes of this.buffer, and keep the rest in this.buffer.
    //       buffer.subarray() does both without copying.
    return Buffer.alloc(0);
  }
}

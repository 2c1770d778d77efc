// http-request-head: the bytes of a connection that have arrived but are not used yet. A request head can
// come in pieces, and whatever follows it (a body, the next request) can come in the same read:
// all of it waits here until a parser takes exactly what it needs.
//
// The bytes wait in your growable buffer from line-protocol: appending a read copies that read
// only, so a head that trickles in a byte at a time costs work in proportion to its size.
// `Buffer.concat([buffer, chunk])` on every read would copy everything waiting, every time.

import type { Conn } from '../02-socket-promises/socket.ts';
import { GrowableBuffer } from '../03-line-protocol/buffer.ts';

export class BufferedReader {
  private readonly waiting = new GrowableBuffer();

  constructor(readonly conn: Conn) {}

  /** Bytes received and not yet consumed, oldest first. A view, valid until the next fill(). */
  get buffer(): Buffer {
    // TODO: the waiting bytes, without copying: this.waiting.view().
    return Buffer.alloc(0);
  }

  /** Reads the next chunk from the connection onto the end of the buffer. False at EOF. */
  async fill(): Promise<boolean> {
    // TODO: read the next chunk with this.conn.read() (your Conn from socket-promises). An empty
    //       chunk is EOF: return false. Otherwise append it to this.waiting and return true.
    return false;
  }

  /** Takes the first `n` buffered bytes; the rest stay for the next reader. */
  consume(n: number): Buffer {
    // TODO: return a copy of the first n waiting bytes (Buffer.from(view.subarray(0, n))), then
    //       consume them from this.waiting. A copy, because the growable buffer reuses the space
    //       of consumed bytes for later reads, and whoever took these may still hold them then.
    void n;
    return Buffer.alloc(0);
  }
}

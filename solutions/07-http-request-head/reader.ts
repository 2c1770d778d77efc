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
    return this.waiting.view();
  }

  /** Reads the next chunk from the connection onto the end of the buffer. False at EOF. */
  async fill(): Promise<boolean> {
    const chunk = await this.conn.read();
    if (chunk.length === 0) return false;
    this.waiting.append(chunk);
    return true;
  }

  /** Takes the first `n` buffered bytes; the rest stay for the next reader. */
  consume(n: number): Buffer {
    // A copy: the growable buffer reuses the space of consumed bytes for later reads, and whoever
    // took these (a piece of a body on its way to a socket) may still hold them by then.
    const taken = Buffer.from(this.waiting.view().subarray(0, n));
    this.waiting.consume(n);
    return taken;
  }
}

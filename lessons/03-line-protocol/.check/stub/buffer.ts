// Lesson 3: a growable byte buffer. Bytes are appended at the end and consumed from the front,
// like a queue. Appending is amortised O(1) per byte: the storage doubles when full, so a long
// run of appends copies each byte only a constant number of times on average.

export class GrowableBuffer {
  private data = Buffer.alloc(1024);
  /** Unconsumed bytes are data[start, end). */
  private start = 0;
  private end = 0;

  /** How many bytes are waiting to be consumed. */
  get length(): number {
    return this.end - this.start;
  }

  /** Adds bytes at the end. */
  append(chunk: Buffer): void {
    // TODO: if the bytes don't fit after `end`, make room (see makeRoom), then copy the chunk in
    //       at `end` and move `end`.
    throw new Error('GrowableBuffer.append() is not written yet (TODO in buffer.ts)');
  }

  /** The waiting bytes, without copying. Valid until the next append(). */
  view(): Buffer {
    return this.data.subarray(this.start, this.end);
  }

  /** Drops `n` bytes from the front. O(1): it only moves the start. */
  consume(n: number): void {
    // TODO: move `start` forward by n (never past `end`). When the buffer becomes empty, start
    //       again at 0 so the space is reused.
    throw new Error('GrowableBuffer.consume() is not written yet (TODO in buffer.ts)');
  }

  /**
   * Makes space for `extra` more bytes: first by moving the waiting bytes to the front (space freed
   * by consume), and only if that is not enough by doubling the storage.
   */
  private makeRoom(extra: number): void {
    // TODO: if length + extra fits in `data`, move the waiting bytes to the front (copy within);
    //       otherwise allocate double the size (or more, until it fits) and copy them there.
    //       Either way the waiting bytes start at 0 afterwards.
    throw new Error(`GrowableBuffer needs room for ${extra} more bytes, but makeRoom() is not written yet (TODO in buffer.ts)`);
  }
}

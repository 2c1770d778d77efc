// MISTAKE: copies all the waiting bytes to a new Buffer every time a message is consumed.
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
    if (this.end + chunk.length > this.data.length) this.makeRoom(chunk.length);
    chunk.copy(this.data, this.end);
    this.end += chunk.length;
  }

  /** The waiting bytes, without copying. Valid until the next append(). */
  view(): Buffer {
    return this.data.subarray(this.start, this.end);
  }

  /** Drops `n` bytes from the front. O(1): it only moves the start. */
  consume(n: number): void {
    const rest = Buffer.from(this.data.subarray(this.start + Math.min(n, this.length), this.end));
    this.data = Buffer.alloc(Math.max(1024, rest.length * 2));
    rest.copy(this.data);
    this.start = 0;
    this.end = rest.length;
  }

  /**
   * Makes space for `extra` more bytes: first by moving the waiting bytes to the front (space freed
   * by consume), and only if that is not enough by doubling the storage.
   */
  private makeRoom(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.data.length) {
      this.data.copy(this.data, 0, this.start, this.end);
    } else {
      let capacity = this.data.length * 2;
      while (capacity < needed) capacity *= 2;
      const bigger = Buffer.alloc(capacity);
      this.data.copy(bigger, 0, this.start, this.end);
      this.data = bigger;
    }
    this.end = this.length;
    this.start = 0;
  }
}

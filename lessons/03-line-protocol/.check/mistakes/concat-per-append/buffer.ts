// MISTAKE: allocates a new Buffer holding everything on every append.
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
    this.data = Buffer.concat([this.data.subarray(this.start, this.end), chunk]);
    this.start = 0;
    this.end = this.data.length;
  }

  /** The waiting bytes, without copying. Valid until the next append(). */
  view(): Buffer {
    return this.data.subarray(this.start, this.end);
  }

  /** Drops `n` bytes from the front. O(1): it only moves the start. */
  consume(n: number): void {
    this.start += Math.min(n, this.length);
    if (this.start === this.end) this.start = this.end = 0; // empty: reuse from the beginning
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

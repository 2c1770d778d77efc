// Counts the bytes copied between Buffers while the learner's reader runs in this process: work,
// not time, so the check that reads stay linear cannot flake on a busy machine. Every way Node
// offers to copy bytes into a Buffer is counted where it is called: Buffer.concat (the whole
// result), buf.copy(), typedArray.set() and Buffer.from(buffer). Node's own internals call none of
// these public functions, so nothing is counted twice; work the harness does meanwhile is small
// and bounded.

export interface CopyCounter {
  /** Bytes copied since the counter started. */
  readonly bytes: number;
  /** Puts the original functions back. */
  stop(): void;
}

export function countCopies(): CopyCounter {
  let bytes = 0;
  const concat = Buffer.concat;
  const copy = Buffer.prototype.copy;
  const set = Uint8Array.prototype.set;
  const from = Buffer.from;

  Buffer.concat = function (list: readonly Uint8Array[], totalLength?: number): Buffer {
    const result = concat.call(Buffer, list, totalLength);
    bytes += result.length;
    return result;
  } as typeof Buffer.concat;
  Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer['copy']>): number {
    const n = copy.apply(this, args);
    bytes += n;
    return n;
  };
  Uint8Array.prototype.set = function (this: Uint8Array, source: ArrayLike<number>, offset?: number): void {
    bytes += source.length;
    set.call(this, source, offset);
  };
  Buffer.from = function (this: typeof Buffer, ...args: unknown[]): Buffer {
    const result = (from as (...a: unknown[]) => Buffer).apply(Buffer, args);
    if (args[0] instanceof Uint8Array) bytes += result.length;
    return result;
  } as typeof Buffer.from;

  return {
    get bytes() {
      return bytes;
    },
    stop() {
      Buffer.concat = concat;
      Buffer.prototype.copy = copy;
      Uint8Array.prototype.set = set;
      Buffer.from = from;
    },
  };
}

// The dynamic table, RFC 7541 §2.3.2 and §4: a first-in, first-out list of header fields. New
// entries go in at the front (the lowest dynamic index, 62); the oldest leave from the back when
// the table would grow past its maximum size.

/** §4.1: an entry's size is its name's and value's length in octets, plus 32 octets of overhead. */
export const ENTRY_OVERHEAD = 32;

export function entrySize(name: string, value: string): number {
  // TODO: §4.1 (names and values are latin1 strings: one character per octet).
  void name;
  void value;
  return 0;
}

export class DynamicTable {
  /** Newest first: entries[0] is index 62 on the wire (§2.3.3). */
  private entries: Array<[string, string]> = [];
  /** The sum of entrySize over the entries (§4.1). */
  size = 0;

  constructor(public maxSize: number) {}

  get length(): number {
    return this.entries.length;
  }

  /** The entry `i` places from the newest (0-based), or undefined past the end. */
  get(i: number): [string, string] | undefined {
    return this.entries[i];
  }

  /** Every entry, newest first (a copy). */
  list(): Array<[string, string]> {
    return this.entries.map(([name, value]) => [name, value]);
  }

  /**
   * §4.4: evict from the end until the new entry fits, then add it at the front. An entry larger
   * than the whole table empties it and is not added: that is not an error.
   */
  add(name: string, value: string): void {
    // TODO
    void name;
    void value;
  }

  /** §4.3: a new maximum size evicts from the end until the table fits in it. */
  resize(maxSize: number): void {
    // TODO: evict too.
    this.maxSize = maxSize;
  }
}

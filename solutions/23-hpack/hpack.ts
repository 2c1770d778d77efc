// HPACK, RFC 7541: header blocks to header lists and back. A decoder (and an encoder) holds one
// connection's state, the dynamic table, which lasts across blocks: decode the blocks in the
// order they arrived, every one of them, or the two sides' tables part ways.
//
// The first bits of each representation say which it is (§6):
//   1xxxxxxx  indexed field (§6.1)                      7-bit index
//   01xxxxxx  literal with incremental indexing (§6.2.1) 6-bit name index, 0 = literal name
//   001xxxxx  dynamic table size update (§6.3)           5-bit new maximum size
//   0001xxxx  literal never indexed (§6.2.3)             4-bit name index
//   0000xxxx  literal without indexing (§6.2.2)          4-bit name index

import { HpackError } from './error.ts';
import { decodeInteger, encodeInteger } from './integer.ts';
import { huffmanDecode, huffmanEncode, huffmanLength } from './huffman.ts';
import { DynamicTable } from './dynamic-table.ts';
import { STATIC_TABLE } from './static-table.ts';

export { HpackError } from './error.ts';

/** A header field: name and value, one character per octet (latin1), as node:http2 gives them. */
export type HeaderField = [name: string, value: string];

export class HpackDecoder {
  readonly table: DynamicTable;
  private limit: number;

  /** `maxTableSize`: the most the encoder may use, what this side's SETTINGS_HEADER_TABLE_SIZE said. */
  constructor(maxTableSize = 4096) {
    this.limit = maxTableSize;
    this.table = new DynamicTable(maxTableSize);
  }

  get maxTableSize(): number {
    return this.limit;
  }

  /** The owner may raise or lower the limit (a new SETTINGS_HEADER_TABLE_SIZE); lowering evicts at once. */
  set maxTableSize(limit: number) {
    this.limit = limit;
    if (this.table.maxSize > limit) this.table.resize(limit);
  }

  decode(block: Uint8Array): HeaderField[] {
    const fields: HeaderField[] = [];
    let at = 0;
    while (at < block.length) {
      const first = block[at]!;
      if (first & 0x80) {
        const index = decodeInteger(block, at, 7);
        at = index.next;
        fields.push(this.lookup(index.value));
      } else if ((first & 0xe0) === 0x20) {
        // §4.2: a size update must come at the start of a block, before any field.
        if (fields.length > 0)
          throw new HpackError('RFC 7541 §4.2: a dynamic table size update after a header field; it is only allowed at the start of a block.');
        const size = decodeInteger(block, at, 5);
        at = size.next;
        // §6.3: "The new maximum size MUST be lower than or equal to the limit" the decoder set.
        if (size.value > this.limit) throw new HpackError(`RFC 7541 §6.3: a dynamic table size update to ${size.value}, above the limit of ${this.limit}.`);
        this.table.resize(size.value);
      } else {
        // A literal: 01 indexes it (6-bit name index), 0001 and 0000 do not (4-bit name index).
        const indexing = (first & 0xc0) === 0x40;
        const nameIndex = decodeInteger(block, at, indexing ? 6 : 4);
        at = nameIndex.next;
        let name: string;
        if (nameIndex.value === 0) {
          const literal = this.readString(block, at);
          at = literal.next;
          name = literal.text;
        } else {
          name = this.lookup(nameIndex.value)[0];
        }
        const value = this.readString(block, at);
        at = value.next;
        if (indexing) this.table.add(name, value.text);
        fields.push([name, value.text]);
      }
    }
    return fields;
  }

  /** §2.3.3: 1–61 the static table, 62 on the dynamic table newest first; 0 and past the end are errors. */
  private lookup(index: number): HeaderField {
    if (index === 0) throw new HpackError('RFC 7541 §6.1: index 0 is not a field; indexes start at 1.');
    if (index <= STATIC_TABLE.length) {
      const [name, value] = STATIC_TABLE[index - 1]!;
      return [name, value];
    }
    const entry = this.table.get(index - STATIC_TABLE.length - 1);
    if (!entry) {
      throw new HpackError(`RFC 7541 §2.3.3: index ${index} is past the end of both tables (61 static + ${this.table.length} dynamic entries).`);
    }
    return [entry[0], entry[1]];
  }

  /** §5.2: H bit, a length with a 7-bit prefix, then that many octets, raw or Huffman-coded. */
  private readString(block: Uint8Array, offset: number): { text: string; next: number } {
    if (offset >= block.length) throw new HpackError('RFC 7541 §5.2: the header block ends where a string literal should start.');
    const huffman = (block[offset]! & 0x80) !== 0;
    const length = decodeInteger(block, offset, 7);
    const end = length.next + length.value;
    if (end > block.length) {
      throw new HpackError(`RFC 7541 §5.2: a string of ${length.value} octets, but only ${block.length - length.next} are left in the block.`);
    }
    const data = block.subarray(length.next, end);
    const octets = huffman ? huffmanDecode(data) : Buffer.from(data);
    return { text: octets.toString('latin1'), next: end };
  }
}

/** RFC 7541 §7.1.3: fields an attacker could guess and check through the table; kept out of every table. */
export function isSensitive(name: string, value: string): boolean {
  if (name === 'authorization' || name === 'proxy-authorization') return true;
  // A short cookie is guessable by trying values; a long one is worth indexing.
  return name === 'cookie' && value.length < 20;
}

export interface EncoderOptions {
  /** Huffman-code a string unless that is longer (default true); false never does (Appendix C.3, C.5). */
  huffman?: boolean;
  /** Fields to send never indexed (§6.2.3). Default: isSensitive. */
  sensitive?: (name: string, value: string) => boolean;
}

export class HpackEncoder {
  readonly table: DynamicTable;
  private pendingSizes: number[] = [];
  private huffman: boolean;
  private sensitive: (name: string, value: string) => boolean;

  /** `maxTableSize`: the table size both sides start with (no size update is sent for it). */
  constructor(maxTableSize = 4096, options: EncoderOptions = {}) {
    this.table = new DynamicTable(maxTableSize);
    this.huffman = options.huffman ?? true;
    this.sensitive = options.sensitive ?? isSensitive;
  }

  get maxTableSize(): number {
    return this.table.maxSize;
  }

  /**
   * A new size, at most the peer decoder's SETTINGS_HEADER_TABLE_SIZE. It takes effect now (the
   * table evicts) and is announced at the start of the next block (§4.2); if the size went down
   * and up again between blocks, the smallest is announced first so the decoder evicts as we did.
   */
  set maxTableSize(size: number) {
    const smallest = Math.min(...this.pendingSizes, this.table.maxSize, size);
    this.table.resize(size);
    this.pendingSizes = smallest < size ? [smallest, size] : [size];
  }

  encode(fields: HeaderField[]): Buffer {
    const out: number[] = [];
    for (const size of this.pendingSizes) out.push(...encodeInteger(size, 5, 0x20));
    this.pendingSizes = [];
    for (const [name, value] of fields) {
      const sensitive = this.sensitive(name, value);
      const { exact, nameIndex } = this.search(name, value);
      if (exact !== 0 && !sensitive) {
        out.push(...encodeInteger(exact, 7, 0x80)); // §6.1
        continue;
      }
      if (sensitive) {
        out.push(...encodeInteger(nameIndex, 4, 0x10)); // §6.2.3
      } else {
        out.push(...encodeInteger(nameIndex, 6, 0x40)); // §6.2.1
      }
      if (nameIndex === 0) this.writeString(out, name);
      this.writeString(out, value);
      if (!sensitive) this.table.add(name, value);
    }
    return Buffer.from(out);
  }

  /** The first exact match and the first name match, static table first (lower indexes), 0 if none. */
  private search(name: string, value: string): { exact: number; nameIndex: number } {
    let nameIndex = 0;
    const all = [...STATIC_TABLE, ...this.table.list()];
    for (const [i, [entryName, entryValue]] of all.entries()) {
      if (entryName !== name) continue;
      if (entryValue === value) return { exact: i + 1, nameIndex: i + 1 };
      if (nameIndex === 0) nameIndex = i + 1;
    }
    return { exact: 0, nameIndex };
  }

  /** §5.2: Huffman-coded unless that is longer than raw (Appendix C.6.2 codes "307" in 3 octets either way). */
  private writeString(out: number[], text: string): void {
    const raw = Buffer.from(text, 'latin1');
    if (this.huffman && huffmanLength(raw) <= raw.length) {
      const coded = huffmanEncode(raw);
      out.push(...encodeInteger(coded.length, 7, 0x80), ...coded);
    } else {
      out.push(...encodeInteger(raw.length, 7, 0x00), ...raw);
    }
  }
}

// HPACK (RFC 7541) for the test peer: the checks' own codec, written apart from the learner's
// lesson-23 code, so a check never reads the learner's bytes with the learner's decoder. Only the
// two tables are shared, as data: the static table (Appendix A) and the Huffman code (Appendix B).
//
// The first bits of each representation say which it is (§6):
//   1xxxxxxx  indexed field (§6.1)                        7-bit index
//   01xxxxxx  literal with incremental indexing (§6.2.1)   6-bit name index, 0 = literal name
//   001xxxxx  dynamic table size update (§6.3)             5-bit new maximum size
//   0001xxxx  literal never indexed (§6.2.3)               4-bit name index
//   0000xxxx  literal without indexing (§6.2.2)            4-bit name index

import { HUFFMAN_CODES } from '../../solutions/23-hpack/huffman-table.ts';
import { STATIC_TABLE } from '../../solutions/23-hpack/static-table.ts';

/** A header field, one character per octet (latin1), as node:http2 gives them. */
export type H2Field = [name: string, value: string];

/** The largest integer either side accepts; a longer one is an attack, not a header (§5.1). */
const MAX_INTEGER = 2 ** 32 - 1;
const EOS = 256;

/** The dynamic table (§2.3.2, §4): newest first, 32 octets of overhead per entry. */
class DynamicTable {
  entries: H2Field[] = [];
  size = 0;
  constructor(public maxSize: number) {}

  add(name: string, value: string): void {
    this.entries.unshift([name, value]);
    this.size += entrySize(name, value);
    this.evict(); // §4.4: an entry larger than the table empties it and is not kept
  }

  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize) {
      const [name, value] = this.entries.pop()!;
      this.size -= entrySize(name, value);
    }
  }
}

const entrySize = (name: string, value: string) => name.length + value.length + 32;

/** §2.3.3: 1–61 the static table, then the dynamic table newest first. */
function lookup(table: DynamicTable, index: number): H2Field {
  if (index === 0) throw new Error('HPACK index 0 (RFC 7541 §6.1: indexes start at 1)');
  const field = index <= STATIC_TABLE.length ? STATIC_TABLE[index - 1] : table.entries[index - STATIC_TABLE.length - 1];
  if (!field) throw new Error(`HPACK index ${index} is past both tables (61 static + ${table.entries.length} dynamic entries, RFC 7541 §2.3.3)`);
  return [field[0], field[1]];
}

/** The Huffman code as a binary tree: a node is [zero, one], a leaf the symbol. */
type Node = number | Branch;
type Branch = Array<Node | undefined>;
const HUFFMAN_TREE: Branch = [];
HUFFMAN_CODES.forEach(([code, length], symbol) => {
  let node = HUFFMAN_TREE;
  for (let bit = length - 1; bit > 0; bit--) node = (node[(code >>> bit) & 1] ??= []) as Branch;
  node[code & 1] = symbol;
});

/** §5.2: decodes a Huffman string; EOS inside it, or padding over 7 bits or not all ones, is an error. */
function huffmanDecode(data: Uint8Array): Buffer {
  const out: number[] = [];
  let node: Node = HUFFMAN_TREE;
  let pending = 0; // bits read since the last whole symbol
  let allOnes = true;
  for (const octet of data) {
    for (let bit = 7; bit >= 0; bit--) {
      const side = (octet >> bit) & 1;
      node = (node as Branch)[side]!; // the code is complete: every path ends in a symbol
      pending++;
      allOnes &&= side === 1;
      if (typeof node === 'number') {
        if (node === EOS) throw new Error('HPACK Huffman string contains EOS (RFC 7541 §5.2)');
        out.push(node);
        node = HUFFMAN_TREE;
        pending = 0;
        allOnes = true;
      }
    }
  }
  if (pending > 7) throw new Error(`HPACK Huffman padding of ${pending} bits, more than 7 (RFC 7541 §5.2)`);
  if (!allOnes) throw new Error('HPACK Huffman padding is not all ones (RFC 7541 §5.2)');
  return Buffer.from(out);
}

function huffmanEncode(data: Buffer): Buffer {
  const out: number[] = [];
  let bits = 0n;
  let count = 0;
  for (const octet of data) {
    const [code, length] = HUFFMAN_CODES[octet]!;
    bits = (bits << BigInt(length)) | BigInt(code);
    count += length;
    while (count >= 8) {
      count -= 8;
      out.push(Number((bits >> BigInt(count)) & 0xffn));
    }
    bits &= (1n << BigInt(count)) - 1n;
  }
  // Pad with the most significant bits of EOS: ones (§5.2).
  if (count > 0) out.push(Number((bits << BigInt(8 - count)) & 0xffn) | (0xff >> count));
  return Buffer.from(out);
}

/** §5.1: an integer with an N-bit prefix, from `at`. */
function readInteger(block: Uint8Array, at: number, prefixBits: number): { value: number; next: number } {
  const max = (1 << prefixBits) - 1;
  let value = block[at]! & max;
  let next = at + 1;
  if (value < max) return { value, next };
  for (let shift = 0; ; shift += 7) {
    if (next >= block.length) throw new Error('HPACK integer cut off at the end of the block (RFC 7541 §5.1)');
    const octet = block[next++]!;
    value += (octet & 0x7f) * 2 ** shift;
    if (value > MAX_INTEGER) throw new Error(`HPACK integer over ${MAX_INTEGER} (RFC 7541 §5.1)`);
    if ((octet & 0x80) === 0) return { value, next };
  }
}

function writeInteger(value: number, prefixBits: number, first: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  for (value -= max; value >= 128; value = Math.floor(value / 128)) out.push((value % 128) | 0x80);
  out.push(value);
  return out;
}

/** §5.2: H bit, a 7-bit-prefix length, that many octets. */
function readString(block: Uint8Array, at: number): { text: string; next: number } {
  if (at >= block.length) throw new Error('HPACK block ends where a string literal should start (RFC 7541 §5.2)');
  const length = readInteger(block, at, 7);
  const end = length.next + length.value;
  if (end > block.length) throw new Error(`HPACK string of ${length.value} octets, only ${block.length - length.next} left in the block (RFC 7541 §5.2)`);
  const data = block.subarray(length.next, end);
  const octets = block[at]! & 0x80 ? huffmanDecode(data) : Buffer.from(data);
  return { text: octets.toString('latin1'), next: end };
}

/** Decodes header blocks of one direction of one connection (the dynamic table lasts across blocks). */
export class H2HeaderDecoder {
  private table: DynamicTable;
  private limit: number;

  /** `maxTableSize`: the limit this side announced (SETTINGS_HEADER_TABLE_SIZE). */
  constructor(maxTableSize = 4096) {
    this.limit = maxTableSize;
    this.table = new DynamicTable(maxTableSize);
  }

  get maxTableSize(): number {
    return this.limit;
  }

  /** A new SETTINGS_HEADER_TABLE_SIZE: the encoder may use up to this; lowering it evicts at once. */
  set maxTableSize(limit: number) {
    this.limit = limit;
    if (this.table.maxSize > limit) this.table.resize(limit);
  }

  /** The dynamic table, newest first, and its size (§4.1). */
  get dynamicTable(): { entries: H2Field[]; size: number; maxSize: number } {
    return { entries: this.table.entries.map(([n, v]) => [n, v]), size: this.table.size, maxSize: this.table.maxSize };
  }

  decode(block: Uint8Array): H2Field[] {
    const fields: H2Field[] = [];
    let at = 0;
    while (at < block.length) {
      const first = block[at]!;
      if (first & 0x80) {
        const index = readInteger(block, at, 7);
        fields.push(lookup(this.table, index.value));
        at = index.next;
      } else if ((first & 0xe0) === 0x20) {
        if (fields.length > 0) throw new Error('HPACK dynamic table size update after a field (RFC 7541 §4.2: only at the start of a block)');
        const size = readInteger(block, at, 5);
        if (size.value > this.maxTableSize) throw new Error(`HPACK table size update to ${size.value}, above the limit ${this.maxTableSize} (RFC 7541 §6.3)`);
        this.table.resize(size.value);
        at = size.next;
      } else {
        const indexing = (first & 0xc0) === 0x40;
        const nameIndex = readInteger(block, at, indexing ? 6 : 4);
        at = nameIndex.next;
        let name: string;
        if (nameIndex.value === 0) ({ text: name, next: at } = readString(block, at));
        else name = lookup(this.table, nameIndex.value)[0];
        const value = readString(block, at);
        at = value.next;
        if (indexing) this.table.add(name, value.text);
        fields.push([name, value.text]);
      }
    }
    return fields;
  }
}

export interface H2HeaderEncoderOptions {
  /** Huffman-code every string (default false: raw octets, readable in a dump). */
  huffman?: boolean;
  /** Literals with incremental indexing, and fields already in the dynamic table sent by index (default false). */
  index?: boolean;
  /** The table size both sides start with (default 4096, §6.5.2); no size update is sent for it. */
  tableSize?: number;
}

/**
 * Encodes header lists, deterministically. A field equal to a static-table entry goes as that
 * index (one octet, no state); any other as a literal, its name by static index when there is
 * one; without `index` nothing touches the dynamic table, so a test knows every byte.
 */
export class H2HeaderEncoder {
  private table: DynamicTable;
  private sizeUpdate: number | undefined;
  private huffman: boolean;
  private index: boolean;

  constructor(options: H2HeaderEncoderOptions = {}) {
    this.huffman = options.huffman ?? false;
    this.index = options.index ?? false;
    this.table = new DynamicTable(options.tableSize ?? 4096);
  }

  /** Uses a table of `size` octets from the next block on, which opens with a size update (§6.3). */
  resize(size: number): void {
    this.table.resize(size);
    this.sizeUpdate = size;
  }

  encode(fields: ReadonlyArray<readonly [string, string]>): Buffer {
    const out: number[] = [];
    if (this.sizeUpdate !== undefined) out.push(...writeInteger(this.sizeUpdate, 5, 0x20));
    this.sizeUpdate = undefined;
    for (const [name, value] of fields) {
      for (const text of [name, value]) {
        if (/[^\x00-\xff]/.test(text)) throw new Error(`HPACK carries octets: ${JSON.stringify(text)} has a character above U+00FF`);
      }
      const candidates = this.index ? [...STATIC_TABLE, ...this.table.entries] : STATIC_TABLE;
      const exact = candidates.findIndex(([n, v]) => n === name && v === value);
      if (exact >= 0) {
        out.push(...writeInteger(exact + 1, 7, 0x80));
        continue;
      }
      const nameIndex = candidates.findIndex(([n]) => n === name) + 1; // 0: a literal name
      out.push(...(this.index ? writeInteger(nameIndex, 6, 0x40) : writeInteger(nameIndex, 4, 0x00)));
      if (nameIndex === 0) out.push(...this.string(name));
      out.push(...this.string(value));
      if (this.index) this.table.add(name, value);
    }
    return Buffer.from(out);
  }

  private string(text: string): number[] {
    const raw = Buffer.from(text, 'latin1');
    const data = this.huffman ? huffmanEncode(raw) : raw;
    return [...writeInteger(data.length, 7, this.huffman ? 0x80 : 0), ...data];
  }
}

/** A request's header block as the test peer sends it by default: `new H2HeaderEncoder().encode(fields)`. */
export function encodeRequestBlock(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  return new H2HeaderEncoder().encode(fields);
}

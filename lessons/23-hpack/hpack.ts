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
    // TODO: a lower limit evicts at once (the table's maximum may not stay above it).
  }

  decode(block: Uint8Array): HeaderField[] {
    // TODO: read representations until the block ends, each by its first bits (see the top of
    // this file): indexed fields look up an index; literals read a name (indexed or a string)
    // and a value string, and 01 adds the field to the table; size updates come only before
    // the first field and never above maxTableSize. Malformed input throws HpackError.
    void block;
    void decodeInteger;
    throw new HpackError('HpackDecoder.decode is not written yet (TODO in hpack.ts)');
  }

  /** §2.3.3: 1–61 the static table, 62 on the dynamic table newest first; 0 and past the end are errors. */
  private lookup(index: number): HeaderField {
    // TODO
    void STATIC_TABLE;
    throw new HpackError(`index ${index}: lookup is not written yet (TODO in hpack.ts)`);
  }

  /** §5.2: H bit, a length with a 7-bit prefix, then that many octets, raw or Huffman-coded. */
  private readString(block: Uint8Array, offset: number): { text: string; next: number } {
    // TODO: and check the length against the end of the block.
    void block;
    void offset;
    void huffmanDecode;
    throw new HpackError('readString is not written yet (TODO in hpack.ts)');
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
    // TODO: resize the table now, and remember what encode() must announce (§4.2).
    void this.pendingSizes;
    this.table.maxSize = size;
  }

  encode(fields: HeaderField[]): Buffer {
    // TODO: pending size updates first; then per field an indexed field for an exact match, a
    // never-indexed literal for a sensitive one, otherwise a literal with incremental indexing
    // (name indexed where a table has it) that is added to this.table.
    void fields;
    void this.huffman;
    void this.sensitive;
    void encodeInteger;
    void huffmanEncode;
    void huffmanLength;
    throw new HpackError('HpackEncoder.encode is not written yet (TODO in hpack.ts)');
  }
}

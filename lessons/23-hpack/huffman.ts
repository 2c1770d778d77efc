// The Huffman code of RFC 7541 §5.2 and Appendix B: a canonical prefix code, so no code is the
// start of another, and reading bits one at a time until they spell a code finds each symbol.
// The table is given (huffman-table.ts); decoding and encoding with it are yours.

import { HpackError } from './error.ts';
import { HUFFMAN_CODES, EOS } from './huffman-table.ts';

/** The octets of a Huffman-coded string literal, decoded. Throws HpackError on EOS or bad padding (§5.2). */
export function huffmanDecode(data: Uint8Array): Buffer {
  // TODO: read the bits most significant first; after each bit, look the bits read so far up
  // among the codes of that length (build a lookup from HUFFMAN_CODES once, at module load).
  // A match is a symbol: EOS is an error, anything else an output octet. At the end, the bits
  // left over are padding: at most 7 of them, all ones.
  void data;
  void HUFFMAN_CODES;
  void EOS;
  throw new HpackError('huffmanDecode is not written yet (TODO in huffman.ts)');
}

/** How many octets `data` takes Huffman-coded (the bits rounded up to whole octets). */
export function huffmanLength(data: Uint8Array): number {
  // TODO: add up the code lengths of the octets, round up to whole octets.
  void data;
  throw new HpackError('huffmanLength is not written yet (TODO in huffman.ts)');
}

/** `data` Huffman-coded, padded to a whole octet with the high bits of EOS (ones), §5.2. */
export function huffmanEncode(data: Uint8Array): Buffer {
  // TODO: append each octet's code to a bit accumulator, write out whole octets as they fill,
  // and pad the last one with ones. Codes are up to 30 bits: keep the accumulator in a number
  // with * and Math.floor, not 32-bit shifts.
  void data;
  throw new HpackError('huffmanEncode is not written yet (TODO in huffman.ts)');
}

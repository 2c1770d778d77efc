// The Huffman code of RFC 7541 §5.2 and Appendix B: a canonical prefix code, so no code is the
// start of another, and reading bits one at a time until they spell a code finds each symbol.
// The table is given (huffman-table.ts); decoding and encoding with it are yours.

import { HpackError } from './error.ts';
import { HUFFMAN_CODES, EOS } from './huffman-table.ts';

// For decoding: for each code length (5–30 bits), the codes of that length and their symbols.
const byLength: Array<Map<number, number>> = [];
HUFFMAN_CODES.forEach(([code, length], symbol) => {
  byLength[length] ??= new Map();
  byLength[length].set(code, symbol);
});

/** The octets of a Huffman-coded string literal, decoded. Throws HpackError on EOS or bad padding (§5.2). */
export function huffmanDecode(data: Uint8Array): Buffer {
  const out: number[] = [];
  let code = 0; // the bits read since the last symbol, as a number
  let length = 0; // how many
  for (const octet of data) {
    for (let bit = 7; bit >= 0; bit--) {
      code = code * 2 + ((octet >> bit) & 1);
      length++;
      const symbol = byLength[length]?.get(code);
      if (symbol === undefined) continue;
      // §5.2: "A Huffman-encoded string literal containing the EOS symbol MUST be treated as a decoding error."
      if (symbol === EOS) throw new HpackError('RFC 7541 §5.2: a Huffman-coded string contains the EOS symbol.');
      out.push(symbol);
      code = 0;
      length = 0;
    }
  }
  // What is left is padding: §5.2 allows at most 7 bits, and they must be the start of EOS (all ones).
  if (length > 7) throw new HpackError(`RFC 7541 §5.2: ${length} bits of padding after the last symbol; at most 7 are allowed.`);
  if (code !== 2 ** length - 1) throw new HpackError('RFC 7541 §5.2: the padding of a Huffman-coded string is not all ones (the start of EOS).');
  return Buffer.from(out);
}

/** How many octets `data` takes Huffman-coded (the bits rounded up to whole octets). */
export function huffmanLength(data: Uint8Array): number {
  let bits = 0;
  for (const octet of data) bits += HUFFMAN_CODES[octet]![1];
  return Math.ceil(bits / 8);
}

/** `data` Huffman-coded, padded to a whole octet with the high bits of EOS (ones), §5.2. */
export function huffmanEncode(data: Uint8Array): Buffer {
  const out = Buffer.alloc(huffmanLength(data));
  let at = 0;
  let pending = 0; // bits not yet written, at most 7 + 30: exact in a double
  let count = 0;
  for (const octet of data) {
    const [code, length] = HUFFMAN_CODES[octet]!;
    pending = pending * 2 ** length + code;
    count += length;
    while (count >= 8) {
      count -= 8;
      const high = Math.floor(pending / 2 ** count);
      out[at++] = high;
      pending -= high * 2 ** count;
    }
  }
  if (count > 0) out[at++] = (pending << (8 - count)) | (0xff >> count);
  return out;
}

// Integers with an N-bit prefix, RFC 7541 §5.1. The value starts in the low N bits of the first
// octet; if it does not fit there (all N bits are ones), the rest follows 7 bits per octet, least
// significant group first, with the high bit set on every octet but the last.
//
//   value < 2^N − 1:   ? ? ? | value        (one octet)
//   otherwise:         ? ? ? | 1 1 1 1 1    then 1xxxxxxx … 0xxxxxxx  (value − (2^N − 1))

import { HpackError } from './error.ts';

/**
 * The largest integer this decoder accepts. §5.1 sets no limit, but a decoder must set one: no
 * length or index in a header block can usefully exceed 2^32 − 1, and a peer that sends 0xff
 * followed by endless continuation octets must meet an error, not a loop that grows past what a
 * JavaScript number holds exactly (2^53).
 */
export const MAX_INTEGER = 2 ** 32 - 1;

/** More continuation octets than this cannot be a value ≤ MAX_INTEGER, even with leading zero groups. */
const MAX_CONTINUATION_OCTETS = 5;

/** Appends `value` with an N-bit prefix; `first` holds the bits above the prefix (the representation's pattern). */
export function encodeInteger(value: number, prefixBits: number, first = 0): number[] {
  const limit = 2 ** prefixBits - 1;
  if (value < limit) return [first | value];
  const out = [first | limit];
  let rest = value - limit;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/**
 * Reads an integer with an N-bit prefix starting at `block[offset]`. Returns the value and the
 * offset after it; throws HpackError if the block ends inside it or it exceeds MAX_INTEGER.
 */
export function decodeInteger(block: Uint8Array, offset: number, prefixBits: number): { value: number; next: number } {
  if (offset >= block.length) throw new HpackError('RFC 7541 §5.1: the header block ends where an integer should start.');
  const limit = 2 ** prefixBits - 1;
  let value = block[offset]! & limit;
  let at = offset + 1;
  if (value < limit) return { value, next: at };
  for (let count = 0; ; count++) {
    if (at >= block.length) throw new HpackError('RFC 7541 §5.1: the header block ends inside an integer (a continuation octet had its high bit set).');
    if (count === MAX_CONTINUATION_OCTETS) {
      throw new HpackError(
        `RFC 7541 §5.1: an integer with more than ${MAX_CONTINUATION_OCTETS} continuation octets; this decoder accepts values up to 2^32 − 1.`,
      );
    }
    const octet = block[at++]!;
    // Multiplication, not <<: a shift works on 32-bit signed integers and would wrap.
    value += (octet & 0x7f) * 2 ** (7 * count);
    if (value > MAX_INTEGER) throw new HpackError(`RFC 7541 §5.1: an integer over 2^32 − 1 (${value}); this decoder's limit.`);
    if ((octet & 0x80) === 0) return { value, next: at };
  }
}

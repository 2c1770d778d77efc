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
  // TODO: if value < 2^N − 1 it fits in the prefix; otherwise the prefix is all ones, then
  // value − (2^N − 1) in 7-bit groups, least significant first, high bit set on all but the last.
  // Use * and Math.floor(/ 128), not << and >>: those wrap at 32 bits.
  void value;
  void prefixBits;
  void first;
  throw new HpackError('encodeInteger is not written yet (TODO in integer.ts)');
}

/**
 * Reads an integer with an N-bit prefix starting at `block[offset]`. Returns the value and the
 * offset after it; throws HpackError if the block ends inside it or it exceeds MAX_INTEGER.
 */
export function decodeInteger(block: Uint8Array, offset: number, prefixBits: number): { value: number; next: number } {
  // TODO: mask the first octet with 2^N − 1 (the bits above belong to the representation); if
  // the prefix is all ones, add continuation octets until one has its high bit clear. Throw
  // HpackError when the block ends first, after MAX_CONTINUATION_OCTETS octets, or past MAX_INTEGER.
  void block;
  void offset;
  void prefixBits;
  void MAX_CONTINUATION_OCTETS;
  throw new HpackError('decodeInteger is not written yet (TODO in integer.ts)');
}

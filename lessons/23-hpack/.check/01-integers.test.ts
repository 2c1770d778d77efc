// Hidden tests for hpack, part 1: integers with an N-bit prefix (RFC 7541 §5.1), called directly
// through integer.ts. Appendix C.1 both ways, the edges of each prefix, and the limit.

import { check, test } from '#harness/testing/index.ts';
import { integers as integerExamples, bytes } from './appendix-c.ts';
import { integers, hex } from './steps.ts';

const SPEC = 'RFC 7541 §5.1 (integer representation)';

test('encodes and decodes the integers of Appendix C.1 (10 and 1337 with a 5-bit prefix, 42 with 8)', async () => {
  const { encodeInteger, decodeInteger } = await integers();
  for (const example of integerExamples) {
    const got = Buffer.from(encodeInteger(example.value, example.prefix));
    check(hex(got) === example.hex, {
      message: `Expected ${example.value} with a ${example.prefix}-bit prefix (${example.section}) to encode as ${example.hex}, received ${hex(got)}.`,
      expected: bytes(example.hex),
      received: got,
      why: 'A value below 2^N − 1 fits in the prefix; otherwise the prefix is all ones and value − (2^N − 1) follows 7 bits per octet, least significant group first, high bit set on all but the last octet.',
      spec: SPEC,
      hint: 'if (value < 2 ** n - 1) return [value]; else push 2 ** n - 1, subtract it, then push (rest % 128) + 128 while rest >= 128, then rest.',
    });
    // The bits above the prefix belong to the representation: the decoder must ignore them.
    const block = bytes(example.hex);
    if (example.prefix < 8) block[0] = block[0]! | 0xe0;
    const read = decodeInteger(Buffer.concat([Buffer.from([0x55]), block, Buffer.from([0x99])]), 1, example.prefix);
    check(read.value === example.value && read.next === 1 + block.length, {
      message: `Expected ${hex(block)} at offset 1 (${example.section}, prefix ${example.prefix}, the bits above the prefix set) to decode to ${example.value} ending at offset ${1 + block.length}, received ${read.value} ending at ${read.next}.`,
      why: 'The bits above the prefix carry the representation (the 1 of an indexed field, the H bit of a string): mask them off with 2^N − 1 before using the value.',
      spec: SPEC,
      hint: 'let value = block[offset] & (2 ** n - 1); and return the offset just after the last octet read.',
    });
  }
});

test('round-trips the edges of each prefix and the limit 2^32 − 1', async () => {
  const { encodeInteger, decodeInteger } = await integers();
  for (const prefix of [4, 5, 6, 7, 8]) {
    const full = 2 ** prefix - 1;
    for (const value of [0, full - 1, full, full + 1, full + 127, full + 128, 16383, 2 ** 21, 2 ** 31, 2 ** 32 - 1]) {
      const encoded = Buffer.from(encodeInteger(value, prefix));
      const read = decodeInteger(encoded, 0, prefix);
      check(read.value === value && read.next === encoded.length, {
        message: `Expected ${value} with a ${prefix}-bit prefix to survive encode then decode, received ${read.value} after ${read.next} of ${encoded.length} octets (${hex(encoded)}).`,
        why: 'A value equal to 2^N − 1 does not fit in the prefix: it is sent as the full prefix and a continuation octet 0x00. Large values need arithmetic that does not wrap at 32 bits.',
        spec: SPEC,
        hint: 'Use value < 2 ** n - 1 (not <=) for "fits", and * and Math.floor(/ 128) instead of << and >>, which wrap past 2^31.',
      });
    }
  }
});

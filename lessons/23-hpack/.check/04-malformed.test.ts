// Hidden tests for hpack, part 4: every class of malformed block throws HpackError with code
// COMPRESSION_ERROR (RFC 9113 §4.3), never a RangeError, never a wrong field list, never a hang.
// Each block would decode to something plausible in a decoder that skipped the check.

import { test } from '#harness/testing/index.ts';
import { bytes } from './appendix-c.ts';
import { hpack, attempt, expectHpackError, expectFields } from './steps.ts';

interface Malformed {
  name: string;
  hex: string;
  why: string;
  spec: string;
  hint: string;
  /** Blocks decoded first, on the same decoder. */
  before?: string[];
}

const cases: Malformed[] = [
  {
    name: 'an integer cut off inside its continuation octets (ff)',
    hex: 'ff',
    why: 'A prefix of all ones says more octets follow; the block ends first.',
    spec: 'RFC 7541 §5.1',
    hint: 'Check the offset against block.length before every octet you read; block[i] past the end is undefined, not an error.',
  },
  {
    name: 'an integer whose last octet still has its high bit set (ff 80)',
    hex: 'ff80',
    why: 'A continuation octet with the high bit set promises another.',
    spec: 'RFC 7541 §5.1',
    hint: 'Loop while the high bit is set, and throw when the block ends inside the loop.',
  },
  {
    name: 'an integer over 2^32 − 1 (ff ff ff ff ff 0f)',
    hex: 'ffffffffff0f',
    why: 'This decoder limits integers to 2^32 − 1: no index or length needs more, and a limit keeps a peer from making the value grow past what a number holds exactly.',
    spec: 'RFC 7541 §5.1 (implementations must limit integers)',
    hint: 'After adding each continuation octet, throw when the value exceeds 2 ** 32 - 1.',
  },
  {
    name: 'an integer with seven continuation octets, all zero groups (0f 80 80 80 80 80 80 00)',
    hex: '0f80808080808000 0161',
    why: 'Zero groups keep the value small while the shift grows; this decoder accepts at most 5 continuation octets, which are enough for any value up to 2^32 − 1.',
    spec: 'RFC 7541 §5.1',
    hint: 'Count the continuation octets and throw past 5.',
  },
  {
    name: 'a name string longer than the rest of the block (40 05 61 62 63)',
    hex: '4005616263',
    why: 'A string literal is its length, then that many octets; the length must not pass the end of the block.',
    spec: 'RFC 7541 §5.2',
    hint: 'if (start + length > block.length) throw: subarray() would quietly return fewer octets.',
  },
  {
    name: 'a value string longer than the rest of the block (04 05 61 62)',
    hex: '04056162',
    why: 'A string literal is its length, then that many octets; the length must not pass the end of the block.',
    spec: 'RFC 7541 §5.2',
    hint: 'if (start + length > block.length) throw: subarray() would quietly return fewer octets.',
  },
  {
    name: 'a literal whose value is missing (40 01 61)',
    hex: '400161',
    why: 'Every literal has a value string after its name; the block ends where it should start.',
    spec: 'RFC 7541 §6.2, §5.2',
    hint: "Check for the end of the block before reading a string's first octet.",
  },
  {
    name: 'a Huffman string holding EOS followed by a symbol (04 85 ff ff ff fc 7f)',
    hex: '0485fffffffc7f',
    why: '"A Huffman-encoded string literal containing the EOS symbol MUST be treated as a decoding error."',
    spec: 'RFC 7541 §5.2',
    hint: 'When the bits read spell code 256 (EOS, 30 ones), throw HpackError.',
  },
  {
    name: 'Huffman padding of 11 bits (04 82 1f ff: "a" then eleven ones)',
    hex: '04821fff',
    why: '"Padding strictly longer than 7 bits MUST be treated as a decoding error."',
    spec: 'RFC 7541 §5.2',
    hint: 'At the end of the string, the bits left over (not yet a symbol) must be at most 7.',
  },
  {
    name: 'a Huffman string of one octet of padding only (04 81 ff)',
    hex: '0481ff',
    why: '"Padding strictly longer than 7 bits MUST be treated as a decoding error": a whole octet of ones is 8 bits of padding.',
    spec: 'RFC 7541 §5.2',
    hint: 'At the end of the string, the bits left over (not yet a symbol) must be at most 7.',
  },
  {
    name: 'Huffman padding of zeros (04 81 18: "a" then 000)',
    hex: '048118',
    why: '"A padding not corresponding to the most significant bits of the code for the EOS symbol MUST be treated as a decoding error": the padding is ones.',
    spec: 'RFC 7541 §5.2',
    hint: 'The leftover bits must equal 2 ** count - 1 (all ones).',
  },
  {
    name: 'Huffman padding that mixes ones and zeros (04 81 1e: "a" then 110)',
    hex: '04811e',
    why: 'The padding must be the most significant bits of EOS: all ones.',
    spec: 'RFC 7541 §5.2',
    hint: 'The leftover bits must equal 2 ** count - 1 (all ones).',
  },
  {
    name: 'index 0 (80)',
    hex: '80',
    why: '"The index value of 0 is not used. It MUST be treated as a decoding error if found in an indexed header field representation."',
    spec: 'RFC 7541 §6.1',
    hint: 'Throw on index 0 before looking anything up: STATIC_TABLE[-1] is undefined.',
  },
  {
    name: 'index 62 with an empty dynamic table (be)',
    hex: 'be',
    why: 'Indexes past the static table (61) and the dynamic table\'s entries are "a decoding error".',
    spec: 'RFC 7541 §2.3.3',
    hint: 'Throw when index − 62 is not below the number of dynamic entries.',
  },
  {
    name: 'index 63 with one dynamic entry (bf)',
    hex: 'bf',
    before: ['4001610162'],
    why: 'With one dynamic entry only index 62 exists.',
    spec: 'RFC 7541 §2.3.3',
    hint: 'Throw when index − 62 is not below the number of dynamic entries.',
  },
  {
    name: 'a literal naming index 62 with an empty dynamic table (7e 01 61)',
    hex: '7e0161',
    why: "A literal's name index is looked up like any index: past both tables is a decoding error.",
    spec: 'RFC 7541 §2.3.3, §6.2.1',
    hint: 'Use the same lookup (with its checks) for indexed fields and indexed names.',
  },
  {
    name: 'a size update after a field (82 20)',
    hex: '8220',
    why: 'A size update is only allowed at the start of a block, before any field.',
    spec: 'RFC 7541 §4.2, §6.3',
    hint: 'Remember whether a field has been decoded in this block.',
  },
  {
    name: 'a size update above the limit (3f e2 1f = 4097)',
    hex: '3fe21f',
    why: '"The new maximum size MUST be lower than or equal to the limit."',
    spec: 'RFC 7541 §6.3',
    hint: 'Compare with maxTableSize.',
  },
];

test('rejects every malformed block with HpackError (COMPRESSION_ERROR), never RangeError', async () => {
  const { HpackDecoder, HpackError } = await hpack();
  for (const malformed of cases) {
    const decoder = new HpackDecoder();
    for (const block of malformed.before ?? []) decoder.decode(bytes(block));
    expectHpackError(HpackError, attempt(decoder, bytes(malformed.hex)), malformed.name, {
      why: `${malformed.why} RFC 9113 §4.3 answers any decoding error with a connection error COMPRESSION_ERROR, so throw HpackError.`,
      spec: malformed.spec,
      hint: malformed.hint,
    });
  }
});

test('accepts the legal edges next to those errors: empty strings, 7 bits of padding, five continuation octets', async () => {
  const { HpackDecoder } = await hpack();
  const real: Array<[string, Array<[string, string]>, string]> = [
    ['000000', [['', '']], 'an empty literal name and an empty value (§5.2: a length of 0)'],
    ['0480', [[':path', '']], 'an empty Huffman-coded value (H set, length 0)'],
    ['04811f', [[':path', 'a']], '"a" (5 bits) and 3 bits of padding'],
    ['048418c631ff', [[':path', 'aaaaa']], '"aaaaa" (25 bits) and 7 bits of padding, the most allowed'],
    ['0f80808080000161', [['accept-charset', 'a']], 'name index 15 with five zero continuation octets (within the limit)'],
  ];
  for (const [hexBlock, fields, what] of real) {
    expectFields(attempt(new HpackDecoder(), bytes(hexBlock)), fields, `${hexBlock} (${what})`, {
      why: 'These blocks are legal: a decoder must not reject what the RFC allows while it rejects what it forbids.',
      spec: 'RFC 7541 §5.1, §5.2',
      hint: 'Check lengths with > (not >=), padding with "at most 7", and allow an empty string.',
    });
  }
});

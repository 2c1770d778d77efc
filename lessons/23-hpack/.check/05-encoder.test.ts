// Hidden tests for hpack, part 5: the encoder. What it must do, exactly:
// - a field with an exact match in the static or dynamic table → an indexed field (§6.1);
// - otherwise a literal with incremental indexing (§6.2.1), its name indexed where the name is
//   in a table (the lowest index: static before dynamic), and the field added to its own table;
// - fields the `sensitive` option marks (by default authorization, proxy-authorization and short
//   cookies) → never indexed (§6.2.3), kept out of the table;
// - each string Huffman-coded unless that is longer (option huffman: false never codes);
// - after the owner changes maxTableSize, a size update at the start of the next block (§4.2).
// These are the RFC's own choices: Appendix C.3–C.6 come out byte for byte.

import { test, check, randomInt } from '#harness/testing/index.ts';
import { sequences, bytes, type Field } from './appendix-c.ts';
import { hpack, hex, sameFields, show, attempt, expectFields } from './steps.ts';

for (const sequence of sequences) {
  test(`encodes the header lists of ${sequence.section} (${sequence.what}) to the RFC's bytes`, async () => {
    const { HpackEncoder } = await hpack();
    const encoder = new HpackEncoder(sequence.maxTableSize, { huffman: sequence.huffman });
    for (const block of sequence.blocks) {
      const got = encoder.encode(block.fields);
      const want = bytes(block.hex);
      check(got.equals(want), {
        message: `Expected ${show(block.fields)} (${block.section}) to encode as ${hex(want)}, received ${hex(got)}.`,
        expected: want,
        received: got,
        why:
          "An exact match in either table is one indexed octet; anything else is a literal with incremental indexing, its name from the lowest index that has it, added to the encoder's own table so the next block can index it" +
          (sequence.huffman ? '; every string is Huffman-coded unless that is longer.' : '; with huffman: false no string is Huffman-coded.'),
        spec: `RFC 7541 ${block.section}, §6.1, §6.2.1, §5.2`,
        hint: 'Search the static table first, then the dynamic one (newest first); remember an exact match and the first name match separately.',
      });
    }
  });
}

/** A value of any octets 0x00–0xff, as a latin1 string. */
const anyOctets = (length: number) => String.fromCharCode(...Array.from({ length }, () => randomInt(0, 255)));

test('round-trips header lists with every octet value through one encoder and one decoder, across blocks', async () => {
  const { HpackEncoder, HpackDecoder } = await hpack();
  for (const size of [4096, 150, 0]) {
    const encoder = new HpackEncoder(size);
    const decoder = new HpackDecoder(size);
    const names = ['x-a', 'x-b', 'content-type', 'cookie', ':path', 'x-' + anyOctets(3)];
    for (let blockNumber = 0; blockNumber < 30; blockNumber++) {
      const fields: Field[] = Array.from({ length: randomInt(0, 6) }, () => [
        names[randomInt(0, names.length - 1)]!,
        randomInt(0, 2) === 0 ? 'same' : anyOctets(randomInt(0, 40)),
      ]);
      if (blockNumber === 0) fields.push(['x-all', String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))]);
      const block = encoder.encode(fields);
      expectFields(attempt(decoder, block), fields, `block ${blockNumber + 1} of a ${size}-octet table (${hex(block).slice(0, 80)}…)`, {
        why: "Whatever the encoder chooses, decode(encode(fields)) gives the fields back, octet for octet (latin1: one character per octet, 0x00–0xff). Its table must evict exactly as the decoder's does (§4.4).",
        spec: 'RFC 7541 §4.4, §5.2, §6',
        hint: "Convert strings with Buffer.from(s, 'latin1') and back with toString('latin1'), never utf8; add to the encoder's table with the same rules as the decoder.",
      });
      check(sameFields(encoder.table.list(), decoder.table.list()), {
        message: `Expected the encoder's table after block ${blockNumber + 1} to equal the decoder's (${show(decoder.table.list()).slice(0, 200)}), received ${show(encoder.table.list()).slice(0, 200)}.`,
        why: 'The two tables must stay identical: an index means the same entry on both sides only if both add and evict the same entries.',
        spec: 'RFC 7541 §2.3.2, §4.4',
        hint: 'Use the DynamicTable class on both sides, and add exactly the fields you send with incremental indexing.',
      });
    }
  }
});

test('indexes a repeated header list in the next block, one octet a field', async () => {
  const { HpackEncoder } = await hpack();
  const encoder = new HpackEncoder();
  const fields: Field[] = [
    [':method', 'GET'],
    ['x-request-id', 'abc123'],
    ['user-agent', 'learn/1.0'],
  ];
  encoder.encode(fields);
  const again = encoder.encode(fields);
  check(hex(again) === '82bfbe', {
    message: `Expected the same three fields in a second block to encode as 82 bf be (static 2, then dynamic 63 and 62), received ${hex(again)}.`,
    why: 'The dynamic table lasts across blocks: the first block added x-request-id and user-agent (newest first: user-agent is 62), so the second sends each as one indexed octet.',
    spec: 'RFC 7541 §2.3.2, §6.1',
    hint: 'Keep the table in the encoder object, not in encode(); search it for exact matches before writing a literal.',
  });
});

test('sends sensitive fields never indexed and keeps them out of the table', async () => {
  const { HpackEncoder, HpackDecoder } = await hpack();
  const teaching = {
    why: 'RFC 7541 §7.1.3: a secret in the dynamic table can be probed (an attacker guesses a value and watches the block shrink); a never-indexed literal (0001, §6.2.3) also tells every intermediary never to index it.',
    spec: 'RFC 7541 §6.2.3, §7.1.3',
    hint: 'For sensitive fields write 0001 and a 4-bit name index, and do not add the field to the table.',
  };
  for (const field of [
    ['authorization', 'Basic dXNlcjpwYXNz'],
    ['cookie', 'id=42'],
  ] as Field[]) {
    const encoder = new HpackEncoder();
    const block = encoder.encode([field]);
    check((block[0]! & 0xf0) === 0x10 && encoder.table.length === 0, {
      message: `Expected ${show([field])} to be sent never indexed (first octet 0001xxxx) and kept out of the table, received ${hex(block)} with ${encoder.table.length} table entries.`,
      ...teaching,
    });
    expectFields(attempt(new HpackDecoder(), block), [field], hex(block), teaching);
  }
  const custom = new HpackEncoder(4096, { sensitive: (name) => name === 'x-secret' });
  const block = custom.encode([['x-secret', 'hunter2']]);
  check(block[0] === 0x10 && custom.table.length === 0, {
    message: `Expected x-secret, marked sensitive by the option, to be a never-indexed literal with a literal name (10 …), received ${hex(block)}.`,
    ...teaching,
  });
});

test('announces a changed table size at the start of the next block', async () => {
  const { HpackEncoder, HpackDecoder } = await hpack();
  const teaching = {
    why: 'RFC 7541 §4.2: a change of the maximum table size is signalled with a size update (001, 5-bit prefix) at the start of the next block; if it went down and back up in between, the smallest comes first so the decoder evicts what the encoder evicted.',
    spec: 'RFC 7541 §4.2, §6.3',
    hint: 'Remember pending sizes in the maxTableSize setter (resize the table there) and write them first in encode(), then forget them.',
  };
  const encoder = new HpackEncoder();
  const decoder = new HpackDecoder();
  decoder.decode(encoder.encode([['x-a', 'one']]));
  encoder.maxTableSize = 256;
  const block = encoder.encode([[':method', 'GET']]);
  check(hex(block) === '3fe10182', {
    message: `Expected the block after maxTableSize = 256 to be 3f e1 01 82 (size update to 256, :method GET), received ${hex(block)}.`,
    ...teaching,
  });
  decoder.decode(block);
  const next = encoder.encode([[':method', 'GET']]);
  check(hex(next) === '82', { message: `Expected the block after that one to be 82 (no second size update), received ${hex(next)}.`, ...teaching });
  encoder.maxTableSize = 0;
  encoder.maxTableSize = 4096;
  const both = encoder.encode([['x-a', 'one']]);
  check(hex(both).startsWith('203fe11f'), {
    message: `Expected the block after maxTableSize = 0 then 4096 to start 20 3f e1 1f (to 0, then to 4096), received ${hex(both)}.`,
    ...teaching,
  });
  expectFields(attempt(decoder, both), [['x-a', 'one']], hex(both), teaching);
  check(decoder.table.length === 1 && encoder.table.length === 1, {
    message: `Expected both tables to hold just x-a: one after the updates to 0 and 4096, received ${decoder.table.length} in the decoder and ${encoder.table.length} in the encoder.`,
    ...teaching,
  });
});

// Hidden tests for hpack, part 2: the decoder on every example of RFC 7541 Appendix C. C.2 one
// block each; C.3–C.6 three blocks each on one decoder, checking the fields and the dynamic table
// (entries newest first, size) after every block.

import { test } from '#harness/testing/index.ts';
import { literals, sequences, bytes } from './appendix-c.ts';
import { hpack, attempt, expectFields, expectTable } from './steps.ts';

const LITERAL_WHY: Record<string, string> = {
  'C.2.1': 'Pattern 01 with index 0: a literal name, then the value, and the field goes into the dynamic table (§6.2.1).',
  'C.2.2':
    'Pattern 0000 with name index 4 (:path): the name comes from the static table, the value follows, and nothing is added to the dynamic table (§6.2.2).',
  'C.2.3': 'Pattern 0001 with index 0: never indexed, a literal name and value, and nothing is added to the dynamic table (§6.2.3).',
  'C.2.4': 'An octet with the high bit set is an indexed field: 0x82 is index 2 of the static table, :method GET (§6.1, Appendix A).',
};

for (const example of literals) {
  const id = example.section.slice(0, 5);
  test(`decodes ${example.section}`, async () => {
    const { HpackDecoder } = await hpack();
    const decoder = new HpackDecoder();
    const teaching = {
      why: LITERAL_WHY[id],
      spec: `RFC 7541 ${id} and §6`,
      hint: 'Look at the first bits of the first octet: 1 indexed, 01 incremental indexing, 001 size update, 0001 never indexed, 0000 without indexing.',
    };
    expectFields(attempt(decoder, bytes(example.hex)), example.fields, `${example.hex.replace(/ /g, '')} (${id})`, teaching);
    expectTable(decoder.table, example.table, example.size, id, teaching);
  });
}

for (const sequence of sequences) {
  test(`decodes the three blocks of ${sequence.section} (${sequence.what}) on one decoder`, async () => {
    const { HpackDecoder } = await hpack();
    const decoder = new HpackDecoder(sequence.maxTableSize);
    for (const block of sequence.blocks) {
      const teaching = {
        why:
          (sequence.huffman ? 'The strings are Huffman-coded (H bit set): decode them with the code of Appendix B. ' : '') +
          'Each block is decoded on the same decoder: indexes 62 and up name the dynamic table, newest entry first, as the earlier blocks left it' +
          (sequence.maxTableSize < 4096 ? `; with a ${sequence.maxTableSize}-octet table, adding an entry evicts the oldest until it fits (§4.4).` : '.'),
        spec: `RFC 7541 ${block.section}, §2.3.3, §4`,
        hint: 'Keep the dynamic table in the decoder (not in decode()), add entries at the front, and evict from the back.',
      };
      expectFields(attempt(decoder, bytes(block.hex)), block.fields, `the block of ${block.section}`, teaching);
      expectTable(decoder.table, block.table, block.size, block.section, teaching);
    }
  });
}

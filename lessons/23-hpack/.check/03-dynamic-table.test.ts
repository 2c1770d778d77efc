// Hidden tests for hpack, part 3: the dynamic table's edges (RFC 7541 §4): the static table's
// ends, eviction at the exact boundary, an entry larger than the table, size updates (§6.3) and
// the limit the owner sets (maxTableSize, what SETTINGS_HEADER_TABLE_SIZE allows).

import { test, check } from '#harness/testing/index.ts';
import { bytes, type Field } from './appendix-c.ts';
import { hpack, attempt, expectFields, expectTable, expectHpackError, describeOutcome } from './steps.ts';

/** A literal with incremental indexing and a literal name (§6.2.1), without Huffman. */
function indexed(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x40, name.length]), Buffer.from(name, 'latin1'), Buffer.from([value.length]), Buffer.from(value, 'latin1')]);
}
/** A field whose entry is `size` octets: a one-letter name and a value of size − 33 octets. */
const sized = (name: string, size: number): Field => [name, 'v'.repeat(size - 33)];

const EVICTION = {
  why: 'RFC 7541 §4.4: before adding an entry, evict from the end until the table size plus the new entry is at most the maximum. An entry that makes the size exactly the maximum fits.',
  spec: 'RFC 7541 §4.1, §4.4',
  hint: 'while (size + entrySize > maxSize) evict the oldest; compare with >, not >=, and count name + value + 32.',
};

test('decodes the first and last entries of the static table (indexes 1 and 61)', async () => {
  const { HpackDecoder } = await hpack();
  expectFields(
    attempt(new HpackDecoder(), bytes('81 bd')),
    [
      [':authority', ''],
      ['www-authenticate', ''],
    ],
    '81 bd',
    {
      why: 'The static table has 61 entries, indexes 1 to 61 (Appendix A); index 62 is the first dynamic entry (§2.3.3).',
      spec: 'RFC 7541 §2.3.3, Appendix A',
      hint: 'Index i ≤ 61 is STATIC_TABLE[i - 1]; i ≥ 62 is dynamic entry i - 62, counting from the newest.',
    },
  );
});

test('keeps an entry that makes the table exactly full, and evicts the oldest when one octet more is needed', async () => {
  const { HpackDecoder } = await hpack();
  const a = sized('a', 50);
  const b = sized('b', 50);
  const exact = new HpackDecoder(100);
  exact.decode(Buffer.concat([indexed(...a), indexed(...b)]));
  expectTable(exact.table, [b, a], 100, 'two 50-octet entries in a 100-octet table', EVICTION);
  exact.decode(indexed('c', ''));
  expectTable(exact.table, [['c', ''], b], 83, 'a third entry of 33 octets', EVICTION);

  const over = new HpackDecoder(100);
  const b51 = sized('b', 51);
  over.decode(Buffer.concat([indexed(...a), indexed(...b51)]));
  expectTable(over.table, [b51], 51, 'entries of 50 and 51 octets in a 100-octet table', EVICTION);
  const outcome = attempt(over, bytes('be bf'));
  expectHpackError((await hpack()).HpackError, outcome, 'index 63 after the oldest entry was evicted', {
    why: 'Evicted entries are gone: with one entry left, index 63 is past the end of the dynamic table (§2.3.3).',
    spec: 'RFC 7541 §2.3.3, §4.4',
    hint: 'Look dynamic indexes up in the table as it is now, and throw HpackError when the index is past its end.',
  });
});

test('an entry larger than the whole table empties it and is not added, and the field is still decoded', async () => {
  const { HpackDecoder } = await hpack();
  const decoder = new HpackDecoder(100);
  const big = sized('z', 101);
  decoder.decode(indexed(...sized('a', 50)));
  expectFields(attempt(decoder, indexed(...big)), [big], 'a 101-octet entry for a 100-octet table', {
    why: 'RFC 7541 §4.4: "an attempt to add an entry larger than the maximum size causes the table to be emptied of all existing entries and results in an empty table". It is not an error.',
    spec: 'RFC 7541 §4.4',
    hint: 'Evict first, then add only if the entry fits in maxSize.',
  });
  expectTable(decoder.table, [], 0, 'an entry larger than the table', {
    why: 'RFC 7541 §4.4: the table is emptied and the entry is not added.',
    spec: 'RFC 7541 §4.4',
    hint: 'if (entrySize > maxSize) { evict everything; return; }',
  });
});

test('applies dynamic table size updates at the start of a block: one, two in a row, to 0 and back up', async () => {
  const { HpackDecoder } = await hpack();
  const SIZE = {
    why: "RFC 7541 §6.3 and §4.3: a size update (001 and a 5-bit prefix integer) sets the table's maximum size; a smaller size evicts from the end at once. Several may open a block; each is applied in turn.",
    spec: 'RFC 7541 §4.3, §6.3',
    hint: 'In decode(), before any field, a first octet 001xxxxx is a size update: read the integer, check it, resize (evicting).',
  };
  const decoder = new HpackDecoder();
  decoder.decode(Buffer.concat([indexed(...sized('a', 50)), indexed(...sized('b', 60))]));
  // 0x3f 0x2d = 31 + 45 = 76: only the newest entry (60) fits.
  expectFields(attempt(decoder, bytes('3f2d 82')), [[':method', 'GET']], '3f2d 82 (size update to 76, then :method GET)', SIZE);
  expectTable(decoder.table, [sized('b', 60)], 60, 'a size update to 76', SIZE);
  check(decoder.table.maxSize === 76, { message: `Expected the table's maxSize to be 76 after the update, received ${decoder.table.maxSize}.`, ...SIZE });
  // To 0 (empties), then to 4096 again, then an entry: both updates apply.
  expectFields(
    attempt(decoder, Buffer.concat([bytes('20 3fe11f'), indexed('c', 'd')])),
    [['c', 'd']],
    '20 3fe11f and a literal (updates to 0 then 4096)',
    SIZE,
  );
  expectTable(decoder.table, [['c', 'd']], 34, 'updates to 0 then 4096 and one new entry', SIZE);
  check((decoder.table.maxSize as number) === 4096, {
    message: `Expected the table's maxSize to be 4096 after updates to 0 and 4096, received ${decoder.table.maxSize}.`,
    ...SIZE,
  });
  // To 0 in one block, entries in the next stay out until the size goes up.
  decoder.decode(bytes('20'));
  expectTable(decoder.table, [], 0, 'a block holding only a size update to 0', SIZE);
  decoder.decode(indexed('e', 'f'));
  expectTable(decoder.table, [], 0, 'a literal with incremental indexing while the maximum size is 0', SIZE);
  decoder.decode(Buffer.concat([bytes('3f e101'), indexed('e', 'f')]));
  expectTable(decoder.table, [['e', 'f']], 34, 'a size update to 256 and a new entry', SIZE);
});

test('rejects a size update after a field or above the limit, and follows the limit the owner sets', async () => {
  const module = await hpack();
  const { HpackDecoder } = module;
  const misplaced = {
    why: 'RFC 7541 §4.2: a size update "MUST occur at the beginning of the first header block following the change"; one after a field is a decoding error.',
    spec: 'RFC 7541 §4.2, §6.3',
    hint: 'Remember whether a field has been decoded in this block; a size update after one throws HpackError.',
  };
  expectHpackError(module.HpackError, attempt(new HpackDecoder(), bytes('82 20')), '82 20 (a size update after :method GET)', misplaced);
  const limit = {
    why: 'RFC 7541 §6.3: "The new maximum size MUST be lower than or equal to the limit" the decoder announced (SETTINGS_HEADER_TABLE_SIZE); a larger one is a decoding error.',
    spec: 'RFC 7541 §6.3, §4.2',
    hint: "Compare the update with maxTableSize (the owner's limit), not with the table's current size.",
  };
  expectHpackError(module.HpackError, attempt(new HpackDecoder(), bytes('3fe21f')), 'a size update to 4097 with the default limit 4096', limit);
  const decoder = new HpackDecoder(4096);
  decoder.maxTableSize = 100;
  expectHpackError(module.HpackError, attempt(decoder, bytes('3f46')), 'a size update to 101 after the owner set maxTableSize = 100', limit);
  const fine = attempt(decoder, bytes('3f45'));
  check('fields' in fine, { message: `Expected a size update to exactly the limit (100) to be accepted, received ${describeOutcome(fine)}.`, ...limit });
  decoder.maxTableSize = 8192;
  const raised = attempt(decoder, bytes('3fe13f'));
  check('fields' in raised && decoder.table.maxSize === 8192, {
    message: `Expected a size update to 8192 to be accepted after the owner raised maxTableSize to 8192, received ${describeOutcome(raised)} (table maxSize ${decoder.table.maxSize}).`,
    ...limit,
  });
});

test('lowering maxTableSize evicts at once, oldest first', async () => {
  const { HpackDecoder } = await hpack();
  const decoder = new HpackDecoder();
  decoder.decode(bytes('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'));
  decoder.decode(bytes('8286 84be 5808 6e6f 2d63 6163 6865'));
  decoder.maxTableSize = 60;
  expectTable(decoder.table, [['cache-control', 'no-cache']], 53, "the owner lowered maxTableSize to 60 (C.3.2's table held 110 octets)", {
    why: 'A lower SETTINGS_HEADER_TABLE_SIZE is a promise the table will not exceed it: the decoder evicts from the end until it fits (§4.3), as the encoder will.',
    spec: 'RFC 7541 §4.2, §4.3',
    hint: "In the maxTableSize setter: if the table's maximum is above the new limit, resize it (evicting).",
  });
});

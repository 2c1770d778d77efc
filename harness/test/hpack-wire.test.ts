// The test peer's own HPACK codec (harness/wire/hpack.ts), which the HTTP/2 checks and spy/probe
// use to read a learner's header blocks. It must be right on its own: every example of RFC 7541
// Appendix C decoded (fields and dynamic table, eviction included) and encoded byte for byte; its
// encoder's output read back by two other decoders (Python's hpack and the lesson-23 reference)
// across blocks that share a dynamic table; and every malformed input class refused.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { findLesson, solutionFolder } from '../lesson.ts';
import { encodeRequestBlock, H2HeaderDecoder, H2HeaderEncoder, type H2Field } from '../wire/hpack.ts';
import { bytes, literals, sequences } from '../../lessons/23-hpack/.check/appendix-c.ts';

describe('RFC 7541 Appendix C', () => {
  test.each(literals)('$section decodes, leaving the right dynamic table', ({ hex, fields, table, size }) => {
    const decoder = new H2HeaderDecoder();
    expect(decoder.decode(bytes(hex))).toEqual(fields);
    expect(decoder.dynamicTable).toMatchObject({ entries: table, size });
  });

  test.each(sequences)('$section ($what): three blocks on one decoder, the table after each', ({ maxTableSize, blocks }) => {
    const decoder = new H2HeaderDecoder(maxTableSize);
    for (const block of blocks) {
      expect(decoder.decode(bytes(block.hex)), block.section).toEqual(block.fields);
      expect(decoder.dynamicTable, block.section).toMatchObject({ entries: block.table, size: block.size });
    }
  });

  test.each(sequences)('$section ($what): the indexing encoder writes the RFC’s bytes', ({ maxTableSize, huffman, blocks }) => {
    const encoder = new H2HeaderEncoder({ index: true, huffman, tableSize: maxTableSize });
    for (const block of blocks) expect(encoder.encode(block.fields).toString('hex'), block.section).toBe(bytes(block.hex).toString('hex'));
  });
});

describe('the default encoder', () => {
  test('sends static-table matches by index and everything else as literals without indexing, raw octets', () => {
    const fields: H2Field[] = [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/x'],
      [':authority', 'a'],
      ['x-a', '\xff'],
    ];
    // 82 86 (indexed), 04 = without indexing name index 4 (:path), 01 (:authority), 00 = literal name.
    expect(encodeRequestBlock(fields).toString('hex')).toBe('8286' + '04022f78' + '010161' + '0003782d6101ff');
    // Stateless: the same list twice gives the same bytes.
    const encoder = new H2HeaderEncoder();
    expect(encoder.encode(fields)).toEqual(encoder.encode(fields));
  });

  test('refuses a character that is not one octet', () => {
    expect(() => encodeRequestBlock([['x', '\u0100']])).toThrow(/U\+00FF/);
  });
});

/** Header lists that exercise the table: repeats, every octet value, long values, names from both tables. */
function lists(seed: number, count: number): H2Field[][] {
  let state = seed;
  const int = (max: number) => Math.floor(((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * (max + 1));
  const names = [':method', ':path', ':authority', ':status', 'accept', 'content-type', 'cookie', 'x-trace', 'x-' + 'q'.repeat(40)];
  const value = () =>
    [() => ['GET', '/', '200', 'gzip, deflate'][int(3)]!, () => String.fromCharCode(...Array.from({ length: int(300) }, () => int(255))), () => 'v' + int(9)][
      int(2)
    ]!();
  return Array.from({ length: count }, () => Array.from({ length: 1 + int(8) }, (): H2Field => [names[int(names.length - 1)]!, value()]));
}

/** Encodes with each option set, resizing the indexing encoders' tables midway (a size update opens the next block). */
function encodeAll(fieldLists: H2Field[][]): Array<{ options: string; blocks: Buffer[] }> {
  return [{}, { huffman: true }, { index: true }, { index: true, huffman: true }].map((options) => {
    const encoder = new H2HeaderEncoder(options);
    const blocks = fieldLists.map((fields, i) => {
      if (i === 40) encoder.resize(256);
      if (i === 60) encoder.resize(0);
      if (i === 61) encoder.resize(4096);
      return encoder.encode(fields);
    });
    return { options: JSON.stringify(options), blocks };
  });
}

const COUNT = 100;

describe('other decoders read its encoder', () => {
  const python = ['python3', '/usr/bin/python3'].find((candidate) => spawnSync(candidate, ['-c', 'import hpack'], { stdio: 'ignore' }).status === 0);

  test.skipIf(python === undefined)(`Python's hpack decodes ${COUNT} blocks of each option set (skipped without python3-h2)`, () => {
    const fieldLists = lists(5, COUNT);
    const script = `
import sys, json
from hpack import Decoder
out = []
for blocks in json.load(sys.stdin):
    decoder = Decoder()
    out.append([[[n.hex(), v.hex()] for n, v in decoder.decode(bytes.fromhex(b), raw=True)] for b in blocks])
print(json.dumps(out))
`;
    const encoded = encodeAll(fieldLists);
    const input = JSON.stringify(encoded.map(({ blocks }) => blocks.map((b) => b.toString('hex'))));
    const run = spawnSync(python!, ['-c', script], { input, timeout: 20000, maxBuffer: 64 * 1024 * 1024 });
    expect(run.status, String(run.stderr)).toBe(0);
    const decoded = JSON.parse(String(run.stdout)) as string[][][][];
    const hex = (fields: H2Field[]) => fields.map(([n, v]) => [Buffer.from(n, 'latin1').toString('hex'), Buffer.from(v, 'latin1').toString('hex')]);
    encoded.forEach(({ options }, k) => decoded[k]!.forEach((fields, i) => expect(fields, `${options} block ${i + 1}`).toEqual(hex(fieldLists[i]!))));
    expect(decoded.flat()).toHaveLength(4 * COUNT);
  });

  test(`the lesson-23 reference decodes ${COUNT} blocks of each option set`, async () => {
    const { HpackDecoder } = (await import(pathToFileURL(path.join(solutionFolder(findLesson('hpack')), 'hpack.ts')).href)) as {
      HpackDecoder: new () => { decode(block: Uint8Array): H2Field[] };
    };
    const fieldLists = lists(9, COUNT);
    for (const { options, blocks } of encodeAll(fieldLists)) {
      const decoder = new HpackDecoder();
      blocks.forEach((block, i) => expect(decoder.decode(block), `${options} block ${i + 1}`).toEqual(fieldLists[i]));
    }
  });

  test('its own decoder reads every option set back, the Huffman ones shorter in total', () => {
    const fieldLists = lists(13, COUNT);
    const encoded = encodeAll(fieldLists);
    for (const { options, blocks } of encoded) {
      const decoder = new H2HeaderDecoder();
      blocks.forEach((block, i) => expect(decoder.decode(block), `${options} block ${i + 1}`).toEqual(fieldLists[i]));
    }
    const total = (k: number) => encoded[k]!.blocks.reduce((sum, b) => sum + b.length, 0);
    expect(total(2)).toBeLessThan(total(0)); // indexing saves octets on repeats
  });
});

describe('malformed blocks are refused, saying what is wrong', () => {
  test.each([
    ['index 0', '80', /index 0/],
    ['an index past both tables', 'be', /index 62 is past both tables/],
    ['an integer cut off', 'ff', /cut off/],
    ['an integer over 2^32-1', 'ffffffffffffff0f', /integer over/],
    ['a string longer than the block', '4005616263', /string of 5 octets, only 3 left/],
    ['a block that ends before a string', '40', /ends where a string literal should start/],
    ['the name index of a literal past both tables', '7f0001', /past both tables/],
    ['EOS inside a Huffman string', '0084ffffffff', /EOS/],
    ['Huffman padding longer than 7 bits', '00821fff0161', /padding of 11 bits/],
    ['Huffman padding not all ones', '0081180161', /not all ones/],
    ['a size update after a field', '8220', /after a field/],
    ['a size update above the announced limit', '3fe21f', /4097, above the limit 4096/],
  ])('%s (%s)', (_what, hex, message) => {
    expect(() => new H2HeaderDecoder().decode(Buffer.from(hex, 'hex'))).toThrow(message);
  });

  test('a size update is taken at the start of a block, and a lowered limit applies to the next', () => {
    const decoder = new H2HeaderDecoder();
    expect(decoder.decode(Buffer.from('2020' + '82', 'hex'))).toEqual([[':method', 'GET']]); // two updates, then a field
    decoder.maxTableSize = 100;
    expect(() => decoder.decode(Buffer.from('3f46', 'hex'))).toThrow(/101, above the limit 100/);
    decoder.decode(Buffer.from('3f45', 'hex')); // 100 itself is allowed
    expect(decoder.dynamicTable.maxSize).toBe(100);
  });

  test('an entry larger than the table empties it and is not kept (§4.4)', () => {
    const decoder = new H2HeaderDecoder(40);
    decoder.decode(Buffer.from('400161' + '0162', 'hex')); // a: b, 34 octets
    expect(decoder.dynamicTable).toMatchObject({ entries: [['a', 'b']], size: 34 });
    // a: bcdefghij is 1 + 9 + 32 = 42 octets, more than the whole table.
    expect(decoder.decode(Buffer.from('400161' + '09' + Buffer.from('bcdefghij').toString('hex'), 'hex'))).toEqual([['a', 'bcdefghij']]);
    expect(decoder.dynamicTable).toMatchObject({ entries: [], size: 0 });
  });
});

// The hpack reference (solutions/…-hpack/hpack.ts) against a real HPACK implementation: Python's
// `hpack` module (Debian python3-h2; CI installs it). Both directions, a few hundred header lists
// each, on one connection's worth of state: Python's encoder → the reference decoder, and the
// reference encoder → Python's decoder, across blocks that share a dynamic table, with values of
// every octet 0x00–0xff, never-indexed fields, and table size changes announced mid-connection.
// Bounded: two Python processes, each given 20 s. A machine without the module skips and says so.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { findLesson, solutionFolder } from '../lesson.ts';

type Field = [string, string];
interface Reference {
  HpackDecoder: new (maxTableSize?: number) => { maxTableSize: number; decode(block: Uint8Array): Field[] };
  HpackEncoder: new (maxTableSize?: number) => { maxTableSize: number; encode(fields: Field[]): Buffer };
}

/** The first python3 that has the hpack module (pyenv shims may hide Debian's). */
const python = ['python3', '/usr/bin/python3'].find((candidate) => spawnSync(candidate, ['-c', 'import hpack'], { stdio: 'ignore' }).status === 0);
const skip = python === undefined ? ' (skipped: no python3 with the hpack module; Debian: apt install python3-h2)' : '';

const reference = async () => (await import(pathToFileURL(path.join(solutionFolder(findLesson('hpack')), 'hpack.ts')).href)) as Reference;

function runPython(script: string, input: unknown): unknown {
  const run = spawnSync(python!, ['-c', script], { input: JSON.stringify(input), timeout: 20000, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python exited ${run.status ?? run.signal}: ${String(run.stderr)}`);
  return JSON.parse(String(run.stdout));
}

/** A small seeded generator, so a failure replays. */
function generator(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const int = (max: number) => Math.floor(next() * (max + 1));
  const names = [
    ':method',
    ':path',
    ':authority',
    ':status',
    'accept',
    'content-type',
    'cookie',
    'user-agent',
    'x-trace',
    'x-' + 'q'.repeat(40),
    'authorization',
  ];
  const value = () => {
    const kind = int(3);
    if (kind === 0) return ['GET', '/', 'www.example.com', '200', 'text/html'][int(4)]!;
    if (kind === 1) return String.fromCharCode(...Array.from({ length: int(60) }, () => int(255)));
    return 'v' + int(20); // repeats, so the dynamic table is used
  };
  return () => Array.from({ length: 1 + int(8) }, (): Field => [names[int(names.length - 1)]!, value()]);
}

const COUNT = 300;
const latin1 = (fields: Field[]) => fields.map(([n, v]) => [Buffer.from(n, 'latin1').toString('hex'), Buffer.from(v, 'latin1').toString('hex')]);

test(
  `the reference decoder reads ${COUNT} blocks from Python's hpack encoder, one dynamic table across them${skip}`,
  { skip: python === undefined, timeout: 60000 },
  async () => {
    const { HpackDecoder } = await reference();
    const lists = Array.from({ length: COUNT }, generator(7));
    // Python encodes (never indexing authorization, and shrinking then growing its table midway:
    // it announces both with size updates), printing each block and what it encoded.
    const script = `
import sys, json
from hpack import Encoder, NeverIndexedHeaderTuple, HeaderTuple
lists = json.load(sys.stdin)
encoder = Encoder()
out = []
for i, fields in enumerate(lists):
    if i == 100: encoder.header_table_size = 256
    if i == 200: encoder.header_table_size = 4096
    headers = [(NeverIndexedHeaderTuple if bytes.fromhex(n) == b'authorization' else HeaderTuple)(bytes.fromhex(n), bytes.fromhex(v)) for n, v in fields]
    out.append(encoder.encode(headers, huffman=(i % 3 != 0)).hex())
print(json.dumps(out))
`;
    const blocks = runPython(script, lists.map(latin1)) as string[];
    const decoder = new HpackDecoder();
    for (const [i, hex] of blocks.entries()) {
      expect(decoder.decode(Buffer.from(hex, 'hex')), `block ${i + 1}: ${hex}`).toEqual(lists[i]);
    }
  },
);

test(
  `Python's hpack decoder reads ${COUNT} blocks from the reference encoder, one dynamic table across them${skip}`,
  { skip: python === undefined, timeout: 60000 },
  async () => {
    const { HpackEncoder } = await reference();
    const lists = Array.from({ length: COUNT }, generator(11));
    const encoder = new HpackEncoder();
    const blocks = lists.map((fields, i) => {
      if (i === 100) encoder.maxTableSize = 256;
      if (i === 150) {
        encoder.maxTableSize = 0;
        encoder.maxTableSize = 1024;
      }
      if (i === 200) encoder.maxTableSize = 4096;
      return encoder.encode(fields).toString('hex');
    });
    const script = `
import sys, json
from hpack import Decoder
decoder = Decoder()
out = []
for block in json.load(sys.stdin):
    out.append([[n.hex(), v.hex()] for n, v in decoder.decode(bytes.fromhex(block), raw=True)])
print(json.dumps(out))
`;
    const decoded = runPython(script, blocks) as string[][][];
    for (const [i, fields] of decoded.entries()) {
      expect(fields, `block ${i + 1}: ${blocks[i]}`).toEqual(latin1(lists[i]!));
    }
    expect(decoded).toHaveLength(COUNT);
  },
);

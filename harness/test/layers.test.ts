// The harness is drawn in layers (README "For contributors", harness/AUTHORING.md): a folder
// imports only the folders below it, so that the data layers (wire/, process/) stay free of
// teaching text and of the runner, and the author tooling (dev/) is never loaded by a learner's
// check. This test reads every import of every harness file and fails on an edge the drawing
// forbids; and the hidden checks import the harness through testing/index.ts only, and another
// lesson's .check/ folder only for its tables (cases.ts).

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { lessonsDir, repoRoot } from '../paths.ts';

const harness = path.join(repoRoot, 'harness');

/** What each folder may import; `root` is the modules directly in harness/ (paths, terminal, lesson, trace). */
const ALLOWED: Record<string, string[]> = {
  root: ['root'],
  wire: ['root'],
  process: ['wire', 'root'],
  testing: ['process', 'wire', 'root'],
  check: ['testing', 'process', 'wire', 'root'],
  dev: ['check', 'testing', 'process', 'wire', 'root'],
  probe: ['check', 'process', 'wire', 'root'],
  spy: ['check', 'process', 'wire', 'root'],
  cli: ['dev', 'check', 'testing', 'process', 'probe', 'spy', 'wire', 'root'],
  // The resident check process runs the `learn` command (cli/main.ts) for its clients.
  resident: ['cli', 'check', 'process', 'root'],
  bench: ['test', 'cli', 'dev', 'check', 'testing', 'process', 'wire', 'root'],
};

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(full);
    return /\.(ts|mts)$/.test(entry.name) ? [full] : [];
  });
}

/** Relative import specifiers of a file: static, re-exports and dynamic imports. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^\s*(?:import|export)\b[^'"]*?from\s*|^\s*import\s*|\bimport\(\s*)['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

/** The layer a harness file is in: its first folder under harness/, or `root`. */
function layerOf(file: string): string | undefined {
  const relative = path.relative(harness, file);
  if (relative.startsWith('..')) return undefined;
  const parts = relative.split(path.sep);
  return parts.length === 1 ? 'root' : parts[0];
}

describe('harness layers', () => {
  const edges = new Map<string, string[]>();
  for (const file of filesUnder(harness)) {
    const from = layerOf(file)!;
    if (from === 'test') continue; // the tests may use anything
    for (const specifier of importsOf(file)) {
      const target = specifier.startsWith('#harness/')
        ? path.join(harness, specifier.slice('#harness/'.length))
        : specifier.startsWith('.')
          ? path.resolve(path.dirname(file), specifier)
          : undefined;
      const to = target && layerOf(target);
      if (!to || to === from) continue;
      const edge = `${from} → ${to}`;
      edges.set(edge, [...(edges.get(edge) ?? []), path.relative(repoRoot, file)]);
    }
  }

  test.each(Object.keys(ALLOWED))('%s imports only the layers below it', (from) => {
    const forbidden = [...edges]
      .filter(([edge]) => edge.startsWith(`${from} → `) && !ALLOWED[from]!.includes(edge.split(' → ')[1]!))
      .map(([edge, files]) => `${edge} (${[...new Set(files)].join(', ')})`);
    expect(forbidden).toEqual([]);
  });

  // Outside the harness, a harness file may import only data that a lesson gives as such: the
  // test peer's HPACK codec (wire/hpack.ts) shares the RFC 7541 tables with lesson 23, never its logic.
  test('reaches into solutions/ only for the given HPACK tables', () => {
    const allowed = ['solutions/23-hpack/static-table.ts', 'solutions/23-hpack/huffman-table.ts'];
    const wrong = filesUnder(harness)
      .filter((file) => layerOf(file) !== 'test')
      .flatMap((file) =>
        importsOf(file)
          .filter((specifier) => specifier.startsWith('.'))
          .map((specifier) => path.relative(repoRoot, path.resolve(path.dirname(file), specifier)))
          .filter((target) => target.startsWith('solutions/') && !allowed.includes(target))
          .map((target) => `${path.relative(repoRoot, file)} → ${target}`),
      );
    expect(wrong).toEqual([]);
  });

  test('every folder of the harness has its place in the drawing', () => {
    const folders = fs
      .readdirSync(harness, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    for (const folder of folders) expect(['test', ...Object.keys(ALLOWED)], folder).toContain(folder);
  });
});

describe('hidden checks', () => {
  const checks = fs
    .readdirSync(lessonsDir)
    .filter((name) => /^\d\d-/.test(name))
    .flatMap((lesson) => {
      const dir = path.join(lessonsDir, lesson, '.check');
      return fs.existsSync(dir) ? filesUnder(dir) : [];
    });

  test('import the harness through testing/index.ts only, and another lesson’s .check only for its tables (cases.ts)', () => {
    const wrong: string[] = [];
    for (const file of checks) {
      const ownCheck = path.dirname(file.slice(0, file.indexOf(`${path.sep}.check${path.sep}`) + '/.check/'.length));
      for (const specifier of importsOf(file)) {
        const where = `${path.relative(repoRoot, file)}: ${specifier}`;
        if (specifier.startsWith('#harness/') && specifier !== '#harness/testing/index.ts') wrong.push(where);
        if (!specifier.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), specifier);
        if (target.startsWith(harness)) wrong.push(where);
        const otherCheck = target.includes(`${path.sep}.check${path.sep}`) && !target.startsWith(ownCheck + path.sep);
        if (otherCheck && path.basename(target) !== 'cases.ts') wrong.push(where);
      }
    }
    expect(wrong).toEqual([]);
  });
});

// The harness tests' verdict cache (dev/test-file-cache.ts): one digest of the whole tree, so any
// edit runs every file again; only files that passed whole are kept; a tree that changed during
// the run keeps nothing; never in CI.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { TestFileCache, treeDigest } from '../dev/test-file-cache.ts';

const FILES: Record<string, string> = {
  'package.json': '{"name":"w"}',
  'package-lock.json': '{"lockfileVersion":3}',
  'tsconfig.json': '{}',
  'vitest.config.ts': 'export default {};',
  'README.md': '# Workbook',
  'bin/learn.mjs': '// cli',
  'harness/check/session.ts': 'export const session = 1;',
  'harness/test/cli.test.ts': '// a project test',
  'harness/test/wire.test.ts': '// another',
  'lessons/01-echo/server.ts': '// TODO',
  'lessons/01-echo/.check/echo.test.ts': 'test()',
  'solutions/01-echo/server.ts': 'export const echo = 1;',
};

let root: string;
const state = () => path.join(root, '.learn');
const file = (name: string) => path.join(root, name);
const CLI = 'harness/test/cli.test.ts';
const WIRE = 'harness/test/wire.test.ts';

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'test-file-cache-'));
  for (const [name, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(file(name)), { recursive: true });
    fs.writeFileSync(file(name), text);
  }
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const open = () => TestFileCache.open(root, state(), {})!;

describe('the harness tests’ verdict cache', () => {
  test('a file that passed whole is skipped on the same tree, one that did not is run', () => {
    open().record([
      { file: file(CLI), passedWhole: true },
      { file: file(WIRE), passedWhole: false },
    ]);
    const next = open();
    expect(next.passed(file(CLI))).toBe(true);
    expect(next.passed(file(WIRE))).toBe(false);
  });

  test.each([
    'lessons/01-echo/.check/echo.test.ts',
    'solutions/01-echo/server.ts',
    'harness/check/session.ts',
    'harness/test/wire.test.ts',
    'bin/learn.mjs',
    'package-lock.json',
    'vitest.config.ts',
    'README.md',
  ])('an edit of %s runs every file again', (edited) => {
    open().record([{ file: file(CLI), passedWhole: true }]);
    fs.appendFileSync(file(edited), '\n// edited');
    expect(open().passed(file(CLI))).toBe(false);
  });

  test('a new file, a removed file and another Node version change the digest; node_modules, .git and .learn do not', () => {
    const before = treeDigest(root, 'v20.19.0');
    expect(treeDigest(root, 'v24.11.0')).not.toBe(before);
    fs.mkdirSync(file('harness/node_modules/x'), { recursive: true });
    fs.writeFileSync(file('harness/node_modules/x/index.js'), '1');
    fs.mkdirSync(file('.git'), { recursive: true });
    fs.writeFileSync(file('.git/HEAD'), 'ref: refs/heads/main');
    fs.mkdirSync(path.join(state(), 'cache'), { recursive: true });
    fs.writeFileSync(path.join(state(), 'progress.json'), '{}');
    expect(treeDigest(root, 'v20.19.0')).toBe(before);
    fs.writeFileSync(file('lessons/01-echo/hints.md'), '1. a');
    const added = treeDigest(root, 'v20.19.0');
    expect(added).not.toBe(before);
    fs.rmSync(file('lessons/01-echo/hints.md'));
    expect(treeDigest(root, 'v20.19.0')).toBe(before);
  });

  test('a tree that changed while the run went on keeps no verdict', () => {
    const cache = open();
    fs.appendFileSync(file('solutions/01-echo/server.ts'), '\n// saved from the editor mid-run');
    cache.record([{ file: file(CLI), passedWhole: true }]);
    expect(open().passed(file(CLI))).toBe(false);
  });

  test('a verdict that was kept is dropped when the file fails later', () => {
    open().record([{ file: file(CLI), passedWhole: true }]);
    open().record([{ file: file(CLI), passedWhole: false }]);
    expect(open().passed(file(CLI))).toBe(false);
  });

  test('never used in CI nor with LEARN_MATRIX_CACHE=off', () => {
    expect(TestFileCache.open(root, state(), { CI: 'true' })).toBeUndefined();
    expect(TestFileCache.open(root, state(), { CI: '1' })).toBeUndefined();
    expect(TestFileCache.open(root, state(), { LEARN_MATRIX_CACHE: 'off' })).toBeUndefined();
    expect(TestFileCache.open(root, state(), { CI: 'false' })).toBeDefined();
  });

  test('a corrupt cache file is an empty cache, not a crash', () => {
    fs.mkdirSync(path.join(state(), 'cache'), { recursive: true });
    fs.writeFileSync(path.join(state(), 'cache', 'test-file-verdicts.json'), '{"harness/test/cli.te');
    expect(open().passed(file(CLI))).toBe(false);
    open().record([{ file: file(CLI), passedWhole: true }]);
    expect(open().passed(file(CLI))).toBe(true);
  });
});

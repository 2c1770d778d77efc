// The lesson matrix's verdict cache (dev/matrix-cache.ts): a key changes with an edit to any input
// of a lesson's verdict (and only the lessons that depend on it), and the cache is never trusted in CI.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cacheEnabled, lessonClosure, VerdictCache, verdictKeys } from '../dev/matrix-cache.ts';

const LESSONS = [
  { slug: 'echo', folder: '01-echo' },
  { slug: 'http', folder: '02-http' },
  { slug: 'chat', folder: '03-chat' },
];

/** A small workbook: lesson 2's reference imports lesson 1's; lesson 3 stands alone. */
const FILES: Record<string, string> = {
  'package.json': '{"name":"w"}',
  'package-lock.json': '{"lockfileVersion":3}',
  'tsconfig.json': '{}',
  'lessons/manifest.ts': 'export const manifest = [];',
  'lessons/tsconfig.json': '{}',
  'bin/learn.mjs': '// cli',
  'harness/check/session.ts': 'export const session = 1;',
  'harness/testing/http.ts': 'export const http = 1;',
  'harness/test/cli.test.ts': '// the project test',
  'harness/bench/main.ts': '// the bench',
  'lessons/01-echo/server.ts': '// TODO',
  'lessons/01-echo/README.md': '# Echo',
  'lessons/01-echo/hints.md': '1. a',
  'lessons/01-echo/.check/echo.test.ts': 'test()',
  'lessons/01-echo/.check/stub.patch': '--- a\n+++ b',
  'lessons/01-echo/.check/mistakes/no-fin.patch': '--- a\n+++ b',
  'solutions/01-echo/server.ts': 'export const echo = 1;',
  'lessons/02-http/server.ts': '// TODO',
  'lessons/02-http/.check/http.test.ts': 'test()',
  'solutions/02-http/server.ts': "import { echo } from '../01-echo/server.ts';",
  'lessons/03-chat/server.ts': '// TODO',
  'lessons/03-chat/.check/chat.test.ts': 'test()',
  'solutions/03-chat/server.ts': 'export const chat = 1;',
  'solutions/03-chat/site/index.html': '<p>hi</p>',
};

let root: string;
const keys = (nodeVersion = 'v20.19.0', settings = 'seeds 1') => verdictKeys(LESSONS, { root, nodeVersion, settings });

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-cache-'));
  for (const [file, content] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('verdict keys', () => {
  test('the same tree gives the same keys, and each lesson its own', () => {
    const first = keys();
    expect(keys()).toEqual(first);
    expect(new Set(first.values()).size).toBe(LESSONS.length);
  });

  test('a lesson depends on the lessons its files name, followed to the end', () => {
    expect(lessonClosure(root, LESSONS[1]!, LESSONS).map((l) => l.slug)).toEqual(['echo', 'http']);
    expect(lessonClosure(root, LESSONS[0]!, LESSONS).map((l) => l.slug)).toEqual(['echo']);
    fs.writeFileSync(path.join(root, 'lessons/03-chat/.check/chat.test.ts'), "import { cases } from '../../02-http/.check/cases.ts';");
    expect(lessonClosure(root, LESSONS[2]!, LESSONS).map((l) => l.slug)).toEqual(['echo', 'http', 'chat']);
  });

  // Each input, edited: the lessons whose key must change.
  const everyLesson = ['echo', 'http', 'chat'];
  const cases: Array<[string, string, string[]]> = [
    ['the reference', 'solutions/01-echo/server.ts', ['echo', 'http']],
    ['a reference file that is not code', 'solutions/03-chat/site/index.html', ['chat']],
    ['the stub', 'lessons/01-echo/server.ts', ['echo', 'http']],
    ['the stub patch', 'lessons/01-echo/.check/stub.patch', ['echo', 'http']],
    ['a mistake patch', 'lessons/01-echo/.check/mistakes/no-fin.patch', ['echo', 'http']],
    ['a check', 'lessons/02-http/.check/http.test.ts', ['http']],
    ['the lesson text', 'lessons/01-echo/README.md', ['echo', 'http']],
    ['the hints', 'lessons/01-echo/hints.md', ['echo', 'http']],
    ['the harness', 'harness/check/session.ts', everyLesson],
    ['the checks’ library', 'harness/testing/http.ts', everyLesson],
    ['the CLI entry', 'bin/learn.mjs', everyLesson],
    ['package-lock.json', 'package-lock.json', everyLesson],
    ['package.json', 'package.json', everyLesson],
    ['the manifest', 'lessons/manifest.ts', everyLesson],
    ['tsconfig.json', 'tsconfig.json', everyLesson],
  ];
  test.each(cases)('an edit to %s (%s) changes the keys of %j', (_what, file, changed) => {
    const before = keys();
    fs.appendFileSync(path.join(root, file), ' ');
    const after = keys();
    expect(everyLesson.filter((slug) => before.get(slug) !== after.get(slug))).toEqual(changed);
  });

  test('a new file, a removed file and a renamed file each change the key', () => {
    let before = keys();
    fs.writeFileSync(path.join(root, 'lessons/03-chat/.check/new.patch'), '--- a');
    expect(keys().get('chat')).not.toBe(before.get('chat'));
    before = keys();
    fs.rmSync(path.join(root, 'solutions/03-chat/site/index.html'));
    expect(keys().get('chat')).not.toBe(before.get('chat'));
    before = keys();
    fs.renameSync(path.join(root, 'lessons/03-chat/.check/chat.test.ts'), path.join(root, 'lessons/03-chat/.check/room.test.ts'));
    expect(keys().get('chat')).not.toBe(before.get('chat'));
  });

  test('another Node version or other matrix settings change every key', () => {
    const before = keys();
    for (const after of [keys('v24.11.0'), keys('v20.19.0', 'seeds 3')]) for (const slug of everyLesson) expect(after.get(slug)).not.toBe(before.get(slug));
  });

  test("the project's own tests and the bench are not inputs", () => {
    const before = keys();
    fs.appendFileSync(path.join(root, 'harness/test/cli.test.ts'), ' ');
    fs.appendFileSync(path.join(root, 'harness/bench/main.ts'), ' ');
    expect(keys()).toEqual(before);
  });
});

describe('the cache', () => {
  test('gives back a verdict only under the key it was recorded with, across processes (the file)', () => {
    const file = path.join(root, '.learn/cache/verdicts.json');
    const cache = new VerdictCache<{ ok: boolean }>(file);
    cache.set('echo', 'k1', { ok: true });
    cache.save();
    const again = new VerdictCache<{ ok: boolean }>(file);
    expect(again.get('echo', 'k1')).toEqual({ ok: true });
    expect(again.get('echo', 'k2')).toBeUndefined();
    expect(again.get('http', 'k1')).toBeUndefined();
  });

  test('is off in CI and when turned off, on otherwise', () => {
    expect(cacheEnabled({})).toBe(true);
    expect(cacheEnabled({ CI: 'true' })).toBe(false);
    expect(cacheEnabled({ CI: '1' })).toBe(false);
    expect(cacheEnabled({ LEARN_MATRIX_CACHE: 'off' })).toBe(false);
  });
});

// The order a run with two workers starts its files in (check/run-order.ts): the first in name
// order first; then files not yet passed, in name order; then those that passed, longest first.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestModule } from 'vitest/node';
import { expect, test } from 'vitest';
import { FileTimes } from '../check/run-order.ts';

const files = ['/l/.check/01-a.test.ts', '/l/.check/02-b.test.ts', '/l/.check/03-c.test.ts', '/l/.check/04-d.test.ts'];

function ended(times: FileTimes, moduleId: string, state: 'passed' | 'failed' | 'skipped', duration: number): void {
  times.onTestModuleEnd({ moduleId, state: () => state, diagnostic: () => ({ duration }) } as unknown as TestModule);
}

test('with nothing known (a first run), the files start in name order', () => {
  expect(new FileTimes().order(files)).toEqual(files);
});

test('after the first in name order, files that passed start longest first, after the files that have not passed', () => {
  const times = new FileTimes();
  ended(times, files[0]!, 'passed', 700);
  ended(times, files[1]!, 'passed', 300);
  ended(times, files[2]!, 'passed', 1900);
  expect(times.order(files)).toEqual([files[0], files[3], files[2], files[1]]);
  ended(times, files[3]!, 'passed', 200);
  expect(times.order(files)).toEqual([files[0], files[2], files[1], files[3]]);
});

test('a file that failed, or was cut short, loses its time and starts among the first again', () => {
  const times = new FileTimes();
  for (const file of files) ended(times, file, 'passed', 100);
  ended(times, files[2]!, 'passed', 1900);
  ended(times, files[2]!, 'failed', 50);
  ended(times, files[3]!, 'skipped', 0);
  expect(times.order(files)).toEqual([files[0], files[2], files[3], files[1]]);
});

test('the times are kept in a file: a new session (a resident process after the check that started it) goes by them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-file-times-'));
  try {
    const file = path.join(dir, 'state', 'file-times.json');
    const first = new FileTimes(file);
    ended(first, files[1]!, 'passed', 300);
    ended(first, files[2]!, 'passed', 1900);
    ended(first, files[3]!, 'passed', 700);
    first.onTestRunEnd();
    expect(new FileTimes(file).order(files)).toEqual([files[0], files[2], files[3], files[1]]);
    // Written whole: a new file renamed into place, nothing else left beside it.
    expect(fs.readdirSync(path.dirname(file))).toEqual(['file-times.json']);
    // A file cut short or edited by hand is no order at all, not an error.
    for (const text of ['{"/l/.check/03-c.test.ts": 19', '[]', '{"/l/.check/03-c.test.ts": "long"}']) {
      fs.writeFileSync(file, text);
      expect(new FileTimes(file).order(files)).toEqual(files);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

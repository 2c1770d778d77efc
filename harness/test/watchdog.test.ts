// A learner's code that never gives the event loop back, run inside a check (lesson 2's Conn is
// imported into the test worker): the worker's own timers cannot fire, so the runner's watchdog
// (check/session.ts) must stop the run from the main thread, say why, leave nothing running, and,
// in `learn watch`, check the next save with a fresh instance. LEARN_STALL_GRACE_MS gives a short
// grace, so that the stall is declared in seconds: the lesson's test timeout and that grace.
// The test timeout stays the lesson's own: it is every check's bound in the healthy run too, and,
// shortened to 1.5 s, a fresh instance's first check ran out of it at load 45, as did the watchdog
// (armed when a test file is queued, so the file's import counts: 3.5 s at load 45).

import fs from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findLesson } from '../lesson.ts';
import { atomicSave, copyWorkbook, strays, type WorkbookCopy } from './workbook-copy.ts';

let copy: WorkbookCopy;
const lesson = findLesson('socket-promises');
let reference: string;
let busy: string;

beforeAll(() => {
  copy = copyWorkbook();
  reference = fs.readFileSync(copy.file('solutions', lesson.folder, 'socket.ts'), 'utf8');
  expect(reference).toContain('  read(): Promise<Buffer> {\n');
  busy = reference.replace('  read(): Promise<Buffer> {\n', '  read(): Promise<Buffer> {\n    for (;;) {} // waits for data the wrong way\n');
  fs.copyFileSync(copy.file('solutions', lesson.folder, 'server.ts'), copy.file('lessons', lesson.folder, 'server.ts'));
});

afterAll(() => {
  copy.remove();
});

test("learn check: a busy loop in the learner's code is stopped and explained, nothing left running", { timeout: 90_000 }, async () => {
  fs.writeFileSync(copy.file('lessons', lesson.folder, 'socket.ts'), busy);
  const check = copy.learn(['check', lesson.slug], { LEARN_STALL_GRACE_MS: '3000' });
  expect(await check.exited).toBe(1);
  expect(check.out).toMatch(/stopped responding .* stuck in a loop/s);
  expect(strays(copy)).toEqual([]);
});

test('learn watch: after a stalled run, the next save is checked by a fresh instance', { timeout: 120_000 }, async () => {
  fs.writeFileSync(copy.file('lessons', lesson.folder, 'socket.ts'), busy);
  const watch = copy.learn(['watch', lesson.slug], { LEARN_STALL_GRACE_MS: '3000' });
  const prompt = /Watching socket-promises for changes/g;
  await watch.waitFor(prompt, 1);
  expect(watch.out).toMatch(/stopped responding/);
  atomicSave(copy.file('lessons', lesson.folder, 'socket.ts'), reference);
  await watch.waitFor(prompt, 2);
  expect(watch.out.slice(watch.out.lastIndexOf('Checking lesson'))).toMatch(/All \d+ checks passed/);
  watch.child.kill('SIGINT');
  expect(await watch.exited).toBe(0);
  expect(strays(copy)).toEqual([]);
});

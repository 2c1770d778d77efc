// `learn watch` as a learner's editor drives it: saves that write a temporary file and rename it
// over the original (many editors save that way), saves in place, and Ctrl-C. Every save must be
// noticed, name the file that started the run, and leave nothing running. No terminal.

import fs from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { applyPatchFile, mistakePatchFile, pristineStub } from '../dev/patches.ts';
import { findLesson } from '../lesson.ts';
import { atomicSave, copyWorkbook, strays, type WorkbookCopy } from './workbook-copy.ts';

let copy: WorkbookCopy;

beforeAll(() => {
  copy = copyWorkbook();
});

afterAll(() => {
  copy.remove();
});

test('notices every save, atomic (rename over) or in place, says which file, and Ctrl-C leaves nothing running', { timeout: 120_000 }, async () => {
  const lesson = findLesson('tcp-echo');
  const mine = copy.file('lessons', lesson.folder, 'server.ts');
  const stub = pristineStub(lesson).get('server.ts')!;
  const reference = fs.readFileSync(copy.file('solutions', lesson.folder, 'server.ts'), 'utf8');
  fs.writeFileSync(mine, stub);

  const watch = copy.learn(['watch', 'tcp-echo']);
  const prompt = /Watching tcp-echo for changes/g;
  await watch.waitFor(prompt, 1);
  expect(watch.out).toContain('✗ echoes a line of text');

  // Three saves in a row, the way an editor with atomic saves makes them: each must start a run.
  atomicSave(mine, reference);
  await watch.waitFor(prompt, 2);
  expect(watch.out).toMatch(/\(lessons\/01-tcp-echo\/server\.ts changed\)/);
  expect(watch.out).toMatch(/All \d+ checks passed/);

  atomicSave(mine, stub);
  await watch.waitFor(prompt, 3);
  expect(watch.out.slice(watch.out.lastIndexOf('Checking lesson'))).toContain('✗ echoes a line of text');

  atomicSave(mine, reference);
  await watch.waitFor(prompt, 4);
  expect(watch.out.slice(watch.out.lastIndexOf('Checking lesson'))).toMatch(/All \d+ checks passed/);

  // And a plain in-place write after all that.
  fs.writeFileSync(mine, stub);
  await watch.waitFor(prompt, 5);
  expect(watch.out.slice(watch.out.lastIndexOf('Checking lesson'))).toContain('✗ echoes a line of text');

  // A temporary file alone (an editor's swap or backup file) starts nothing.
  fs.writeFileSync(copy.file('lessons', lesson.folder, '.server.ts.swp'), 'x');
  fs.writeFileSync(copy.file('lessons', lesson.folder, 'server.ts~'), 'x');
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect((watch.out.match(/Checking lesson/g) ?? []).length).toBe(5);

  watch.child.kill('SIGINT');
  expect(await watch.exited).toBe(0);
  expect(strays(copy)).toEqual([]);
});

test('a module the checks import (not only the program) is checked as saved, every time', { timeout: 120_000 }, async () => {
  // Lesson 2's checks import socket.ts into the test worker: a kept Vitest instance must not run
  // the version it compiled before the save.
  const lesson = findLesson('socket-promises');
  const file = (name: string) => copy.file('lessons', lesson.folder, name);
  for (const name of lesson.files) fs.copyFileSync(copy.file('solutions', lesson.folder, name), file(name));
  const reference = fs.readFileSync(file('socket.ts'), 'utf8');
  const mistaken = applyPatchFile(lesson, mistakePatchFile(lesson, 'eof-ignored')).get('socket.ts')!;

  const watch = copy.learn(['watch', lesson.slug]);
  const prompt = /Watching socket-promises for changes/g;
  const lastRun = () => watch.out.slice(watch.out.lastIndexOf('Checking lesson'));
  await watch.waitFor(prompt, 1);
  expect(lastRun()).toMatch(/All \d+ checks passed/);
  atomicSave(file('socket.ts'), mistaken);
  await watch.waitFor(prompt, 2);
  expect(lastRun()).toContain('(lessons/02-socket-promises/socket.ts changed)');
  expect(lastRun()).toContain('✗ read() resolves with an empty Buffer at EOF');
  atomicSave(file('socket.ts'), reference);
  await watch.waitFor(prompt, 3);
  expect(lastRun()).toMatch(/All \d+ checks passed/);
  watch.child.kill('SIGINT');
  expect(await watch.exited).toBe(0);
  expect(strays(copy)).toEqual([]);
});

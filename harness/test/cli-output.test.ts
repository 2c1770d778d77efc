// A closed output is a normal way to stop reading (`npx learn list | head -3`): every command that
// prints stops quietly, with no stack trace, the status 141 a shell gives any tool stopped so, and
// nothing left running.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Workbook } from './workbook.ts';

let book: Workbook;
let port: number;
beforeAll(async () => {
  port = await freePort();
  book = new Workbook();
  // Progress to print and a reference to diff, written as they would be after `learn check 1`
  // passed: a check of its own here took most of the hook's bound on a loaded machine, and the
  // one below (with its output closed) is the check under test.
  book.solve('01-tcp-echo');
  book.writeState({ version: 1, passed: { 'tcp-echo': new Date().toISOString() }, hints: {} });
});
afterAll(() => book.remove());

// The reader goes away before learn writes anything, so the first write fails: no race.
test.each([
  [['list']],
  [['help']],
  [[]],
  [['next']],
  [['hint', '1']],
  [['diff', '1']],
  [['solution', '1']],
  [['check', '1']],
  [['run', '1', '--port', 'PORT']],
  [['check', '--help']],
])('learn %j with its output closed stops quietly', async (args) => {
  const learn = book.spawn(args.map((a) => (a === 'PORT' ? String(port) : a)));
  learn.child.stdout.destroy();
  expect(await learn.closed).toBe(141);
  expect(learn.err).toBe('');
  const strays = path.join(book.root, '.learn', 'run');
  expect(fs.existsSync(strays) ? fs.readdirSync(strays) : []).toEqual([]);
});

test('an error message to a closed stderr stops quietly too', async () => {
  const learn = book.spawn(['chekc']);
  learn.child.stderr.destroy();
  expect(await learn.closed).toBe(141);
  expect(learn.out).toBe('');
});

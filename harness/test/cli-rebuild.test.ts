// Rebuilding progress from an unreadable state file never leaves the learner with less than they
// had: every lesson is re-checked (not just up to the first that fails), each result is saved as
// it is known, and a rebuild stopped with Ctrl-C carries on at the next command.

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Workbook } from './workbook.ts';

let book: Workbook;
beforeEach(() => {
  book = new Workbook();
  // Lessons passed out of order: 1, then 5 (2–4 are still their stubs).
  book.solve('01-tcp-echo');
  book.solve('05-json-protocol');
});
afterEach(() => book.remove());

const CORRUPT = '{"version": 1, "passed": {"tcp-e';
const setAside = () => fs.readdirSync(path.dirname(book.stateFile)).filter((f) => f.startsWith('state.json.unreadable-'));

test('every lesson is re-checked, so lessons passed out of order stay passed', () => {
  book.writeState(CORRUPT);
  const run = book.learn(['list']);
  expect(run.code).toBe(0);
  expect(run.err).toBe('');
  expect(run.out).toContain('could not be read (it is not valid JSON)');
  const state = book.readState();
  expect(Object.keys(state.passed).sort()).toEqual(['json-protocol', 'tcp-echo']);
  expect(run.out).toMatch(/ 5\s+passed\s+json-protocol/);
  expect(run.out).toMatch(/▶\s+6\s+current\s+udp/);
  expect(run.out).toMatch(/✓\s+1 tcp-echo/);
  expect(run.out).toMatch(/·\s+2 socket-promises\s+not started/);
  expect(run.out).toMatch(/✓\s+5 json-protocol/);
  expect(state.rebuilding).toBeUndefined();
  expect(setAside()).toHaveLength(1);
  expect(fs.readFileSync(path.join(path.dirname(book.stateFile), setAside()[0]!), 'utf8')).toBe(CORRUPT);
}, 120_000); // two lessons' checks, on a loaded machine

test('Ctrl-C mid-rebuild keeps what was found and the old file; the next command carries on', async () => {
  book.writeState(CORRUPT);
  const rebuilding = book.spawn(['list']);
  try {
    await rebuilding.until(/✓\s+1 tcp-echo/, 60_000); // lesson 1 known; lesson 5's checks are still to run
  } finally {
    rebuilding.child.kill('SIGINT');
  }
  expect(await rebuilding.closed).toBe(130);
  expect(rebuilding.out).toContain('Stopped rebuilding');
  expect(rebuilding.err).toBe('');

  const interrupted = book.readState();
  expect(interrupted.passed).toHaveProperty('tcp-echo');
  expect(interrupted.rebuilding).toMatchObject({ checked: expect.arrayContaining(['tcp-echo']) });
  expect(setAside()).toHaveLength(1);
  expect(fs.existsSync(path.join(book.root, '.learn', 'run')) ? fs.readdirSync(path.join(book.root, '.learn', 'run')) : []).toEqual([]);

  const resumed = book.learn(['list']);
  expect(resumed.code).toBe(0);
  expect(resumed.out).toContain('Carrying on rebuilding your progress');
  expect(resumed.out).not.toMatch(/1 tcp-echo\s+passes/); // not checked twice
  expect(resumed.out).toMatch(/✓\s+5 json-protocol/);
  const state = book.readState();
  expect(Object.keys(state.passed).sort()).toEqual(['json-protocol', 'tcp-echo']);
  expect(state.rebuilding).toBeUndefined();
  expect(setAside()).toHaveLength(1);
}, 180_000);

test('what can still be read of a foreign file is kept, even for a lesson whose code no longer passes', () => {
  book.writeState({ version: 99, passed: { 'line-protocol': '2025-01-01T00:00:00.000Z', 'not-a-lesson': 'x' }, hints: { 'line-protocol': 2 } });
  const run = book.learn(['hint', '3']);
  expect(run.code).toBe(0);
  expect(run.out).toContain('format version 99');
  expect(run.out).toMatch(/✓\s+3 line-protocol\s+passed \(as the old file says\)/);
  expect(run.out).toContain('Hint 3 of');
  const state = book.readState();
  expect(Object.keys(state.passed).sort()).toEqual(['json-protocol', 'line-protocol', 'tcp-echo']);
}, 120_000);

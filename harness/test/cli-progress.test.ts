// Progress end to end, as a learner who does not go in order meets it: every message names the
// lesson the rule in harness/cli/progress.ts names, and a passed lesson is never called locked.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lessons } from '../lesson.ts';
import { learnRuns, Workbook } from './workbook.ts';

let book: Workbook;
beforeAll(() => {
  book = new Workbook();
});
afterAll(() => book.remove());

/** Times a lesson first passed: some in the past, others after the passes the tests make for real. */
const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();
const later = (second: number) => new Date(Date.now() + 60_000 + second * 1000).toISOString();

// Each test makes a few learn runs, a check at most: each run costs seconds on a loaded machine,
// so a test is bounded by its runs (learnRuns), each of which is bounded on its own.
describe('after jumping ahead', () => {
  test('passing lesson 5 with lesson 4 unpassed: the pass message names lesson 6', { timeout: learnRuns(1) }, () => {
    // Lessons 1–3 passed and lesson 4 opened, as written by any version of learn (with `current`).
    book.writeState({ version: 1, current: 'tcp-chat', passed: { 'tcp-echo': at(1), 'socket-promises': at(2), 'line-protocol': at(3) }, hints: {} });
    book.solve('05-json-protocol');
    const check = book.learn(['check', '5']);
    expect(check.code).toBe(0);
    expect(check.out).toContain('Lesson 5 (json-protocol) is still locked'); // a jump ahead is allowed, with a warning
    expect(check.out).toContain('Go on to lesson 6, ');
  });

  test('then next, list and status all name lesson 6', { timeout: learnRuns(3) }, () => {
    const next = book.learn(['next']);
    expect(next.out).toContain('Lesson 6 of');
    expect(next.out).toContain('Unlocked lesson 6');

    const list = book.learn(['list']);
    expect(list.out).toMatch(/ 4\s+open\s+tcp-chat/);
    expect(list.out).toMatch(/ 5\s+passed\s+json-protocol/);
    expect(list.out).toMatch(/▶\s+6\s+current\s+udp/);
    // Lesson 7 uses only lessons 2 and 3 (passed): open. Lesson 8 uses 7 too: locked.
    expect(list.out).toMatch(/ 7\s+open\s+http-request-head/);
    expect(list.out).toMatch(/ 8\s+locked\s+http-response/);

    expect(book.learn([]).out).toContain('You are on lesson 6');
  });

  test('a passed lesson is not called locked by diff, hint or solution', { timeout: learnRuns(3) }, () => {
    for (const args of [
      ['diff', '5'],
      ['hint', '5'],
      ['solution', '5'],
    ]) {
      const run = book.learn(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.out, args.join(' ')).not.toContain('locked');
    }
  });

  test('a passed lesson is not called locked by check', { timeout: learnRuns(1) }, () => {
    const run = book.learn(['check', '5']);
    expect(run.code).toBe(0);
    expect(run.out).not.toContain('locked');
  });

  test('passing the last lesson of a jump wraps round to the first lesson not passed', { timeout: learnRuns(3) }, () => {
    const state = book.readState();
    const rest = lessons.slice(5); // lesson 6 to the last, passed one after the other
    book.writeState({ ...state, passed: { ...state.passed, ...Object.fromEntries(rest.map((l, i) => [l.slug, later(i)])) } });
    const next = book.learn(['next']);
    expect(next.out).toContain(`Lesson ${lessons.length} passed. Lesson 4 is the first you have not passed yet.`);
    expect(next.out).toContain('Lesson 4 of');
    expect(book.learn([]).out).toContain('You are on lesson 4');
    expect(book.learn(['list']).out).toMatch(/▶\s+4\s+current\s+tcp-chat/);
  });

  test('with every lesson passed, next and status say so', { timeout: learnRuns(2) }, () => {
    const state = book.readState();
    book.writeState({ ...state, passed: { ...state.passed, 'tcp-chat': later(100) } });
    expect(book.learn(['next']).out).toContain(`You passed all ${lessons.length} lessons`);
    expect(book.learn([]).out).toContain(`You passed all ${lessons.length} lessons`);
  });
});

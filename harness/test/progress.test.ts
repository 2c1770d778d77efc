// The rule of progress (harness/cli/progress.ts, README "Your progress"): which lesson is current,
// which are open, as a table of situations a learner gets into, jumping ahead included.

import { describe, expect, test } from 'vitest';
import { currentIn, isOpenIn, lastPassedIn } from '../cli/progress.ts';
import { lessons } from '../lesson.ts';

/** Passed lessons by number, in the order they passed (one second apart). */
function passedInOrder(...numbers: number[]): Record<string, string> {
  return Object.fromEntries(numbers.map((n, i) => [lessons[n - 1]!.slug, new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString()]));
}

const last = lessons.length;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const open = (passed: Record<string, string>) => lessons.filter((l) => isOpenIn(passed, l)).map((l) => l.number);

describe('the current lesson', () => {
  test.each([
    { story: 'nothing passed yet', passed: [], current: 1 },
    { story: 'lessons passed in order', passed: [1, 2, 3], current: 4 },
    { story: 'a jump ahead: 1–3, then 8', passed: [1, 2, 3, 8], current: 9 },
    { story: 'after the jump, on to the last lesson: wraps to the first not passed', passed: [1, 2, 3, ...range(8, last)], current: 4 },
    { story: 'back to fill the gap after a jump', passed: [1, 2, 3, ...range(8, last), 4], current: 5 },
    { story: 'a gap filled up to a lesson passed before', passed: [1, 2, 3, 5, 4], current: 6 },
    { story: 'the last lesson first', passed: [last], current: 1 },
  ])('$story → lesson $current', ({ passed, current }) => {
    expect(currentIn(passedInOrder(...passed))?.number).toBe(current);
  });

  test('every lesson passed: there is none', () => {
    expect(currentIn(passedInOrder(...lessons.map((l) => l.number)))).toBeUndefined();
  });

  test('the lesson passed last is the one that first passed last, not the highest number', () => {
    expect(lastPassedIn(passedInOrder(5, 2))?.number).toBe(2);
    expect(lastPassedIn({})).toBeUndefined();
  });

  test('the current lesson is always open', () => {
    const stories = [[], [1], [1, 2, 3, 8], [1, 2, 3, ...range(8, last)], [last], [2, 4, 6, 8, 10], [10, 8, 6, 4, 2]];
    for (const passed of stories) {
      const state = passedInOrder(...passed);
      const current = currentIn(state);
      expect(current && isOpenIn(state, current), `passed ${passed.join(',')}: current ${current?.number}`).toBe(true);
    }
  });
});

describe('open lessons', () => {
  test('the first, every passed one, every one after a passed one, and every one whose used lessons passed', () => {
    expect(open({})).toEqual([1]);
    // http-request-head (7) uses socket-promises (2) and line-protocol (3).
    expect(open(passedInOrder(1, 2, 3))).toEqual([1, 2, 3, 4, 7]);
    expect(open(passedInOrder(1, 2, 3, 8))).toEqual([1, 2, 3, 4, 7, 8, 9]);
    // Lessons 11, 13 and 17 build on 2, 3 and 7–10 only: the Streaming, Files and WebSocket parts open together.
    expect(open(passedInOrder(1, 2, 3, 7, 8, 9, 10))).toEqual([1, 2, 3, 4, 7, 8, 9, 10, 11, 13, 17]);
  });

  test('a lesson that uses earlier ones stays locked while one of them (followed through) has not passed', () => {
    // static-files (13) uses 2 and 7–10; 7 uses 3: with 3 unpassed, 13 is locked.
    expect(open(passedInOrder(2, 7, 8, 9, 10))).not.toContain(13);
    expect(open(passedInOrder(2, 3, 7, 8, 9, 10))).toContain(13);
  });
});

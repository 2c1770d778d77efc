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
    // chunked-response (11) builds on 2, 3 (through 7) and 7–10; from 12 on each lesson's app builds on the one
    // before, so static-files (13) waits for 12 and the WebSocket part for 16.
    expect(open(passedInOrder(1, 2, 3, 7, 8, 9, 10))).toEqual([1, 2, 3, 4, 7, 8, 9, 10, 11]);
    // https (21) builds on the whole server up to the chat (19), not on sni-router (20).
    const through19 = Array.from({ length: 19 }, (_, i) => i + 1);
    expect(open(passedInOrder(...through19))).toContain(21);
  });

  test('a lesson that uses earlier ones stays locked while one of them (followed through) has not passed', () => {
    // https (21) uses 19, which uses 17, which uses 7, which uses line-protocol (3): with 3 unpassed, 21 is locked.
    const allBut3 = Array.from({ length: 19 }, (_, i) => i + 1).filter((n) => n !== 3);
    expect(open(passedInOrder(...allBut3))).not.toContain(21);
    expect(open(passedInOrder(...allBut3, 3))).toContain(21);
  });
});

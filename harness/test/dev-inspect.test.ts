// The author checks' look at a lesson's files (dev/verify.ts inspect): a stub that leaves one of
// the learner's files exactly as the reference ships the answer, and `learn dev check` says so.

import { expect, test } from 'vitest';
import { inspect } from '../dev/verify.ts';
import { findLesson } from '../lesson.ts';

test('refuses a stub that leaves a file the learner is to write identical to the reference', () => {
  const lesson = findLesson('websocket-handshake');
  expect(inspect(lesson)).toEqual([]);
  // first-frames.ts is provided, so the stub leaves it as the reference: named as a learner's
  // file, it is a file that ships solved.
  const problems = inspect({ ...lesson, files: [...lesson.files, 'first-frames.ts'] });
  expect(problems).toEqual([expect.stringMatching(/first-frames\.ts is one of the learner's files .* identical to the reference/)]);
});

// Runs a made-up lesson (order-lesson/) whose concurrent tests fail in the reverse of their order,
// as `learn check` runs a lesson (stopping at the first failure), and prints as JSON the failures
// in the order a reporter was given them, and the run's outcome. Not a test itself:
// node --import tsx harness/test/support/concurrent-order.ts
import path from 'node:path';
import type { Reporter } from 'vitest/node';
import { CheckSession, LEARNER_WORKERS } from '../../check/session.ts';
import { findLesson } from '../../lesson.ts';
import { lessonsDir, solutionsDir } from '../../paths.ts';

const lesson = {
  ...findLesson('http-response'),
  folder: path.relative(lessonsDir, path.join(import.meta.dirname, 'order-lesson')),
  program: undefined,
};
const reported: string[] = [];
const reporter: Reporter = {
  onTestCaseResult: (testCase) => void (testCase.result().state === 'failed' && reported.push(testCase.name)),
};
const session = new CheckSession({ workers: LEARNER_WORKERS });
try {
  const result = await session.run(lesson, { root: solutionsDir, reporters: [reporter] });
  process.stdout.write(`${JSON.stringify({ reported, ok: result.ok })}\n`);
} finally {
  await session.close();
}

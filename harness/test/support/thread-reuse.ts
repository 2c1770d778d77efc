// Runs a made-up lesson (thread-lesson/) three times in a session that prepares its worker threads
// as the resident check process and `learn watch` do (check/thread-shelf.ts), each run with its
// own test timeout and the second with a seed, and prints as a JSON line per run what its tests
// reported, and when the run began. Not a test itself: node --import tsx harness/test/support/thread-reuse.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Reporter, TestCase } from 'vitest/node';
import { CheckSession } from '../../check/session.ts';
import { findLesson, type Lesson } from '../../lesson.ts';
import { lessonsDir } from '../../paths.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-thread-reuse-'));
fs.writeFileSync(
  path.join(root, 'module.ts'),
  'const seen = globalThis as { learnerModuleLoads?: number };\nseen.learnerModuleLoads = (seen.learnerModuleLoads ?? 0) + 1;\nexport {};\n',
);
const lessonLike = (testMs: number): Lesson => ({
  ...findLesson('http-response'),
  folder: path.relative(lessonsDir, path.join(import.meta.dirname, 'thread-lesson')),
  program: undefined,
  timeouts: { startMs: 1000, testMs },
});

const session = new CheckSession({ keepWarm: true, workers: 2, prepareThreads: true });
try {
  await session.warm();
  await session.prepared();
  for (const [testMs, seed] of [
    [300, undefined],
    [500, 7],
    [400, undefined],
  ] as const) {
    const messages: Record<string, string> = {};
    const reporter: Reporter = {
      onTestCaseResult(testCase: TestCase) {
        const result = testCase.result();
        messages[testCase.name] = result.state === 'failed' ? (result.errors[0]?.message ?? '') : result.state;
      },
    };
    const runStartedAt = performance.timeOrigin + performance.now();
    await session.run(lessonLike(testMs), { root, seed, bail: false, reporters: [reporter] });
    process.stdout.write(`${JSON.stringify({ runStartedAt, messages })}\n`);
    await session.prepared();
  }
} finally {
  await session.close();
  fs.rmSync(root, { recursive: true, force: true });
}

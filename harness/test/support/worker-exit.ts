// Runs lesson 8's checks on the reference in a CheckSession while Vitest's "Worker exited
// unexpectedly" is thrown from the event loop (as Vitest throws it when a worker dies and no
// listener is left), then runs them again; prints each run's result as a JSON line. Not a test
// itself: node --import tsx harness/test/support/worker-exit.ts

import { CheckSession } from '../../check/session.ts';
import { findLesson } from '../../lesson.ts';
import { solutionsDir } from '../../paths.ts';

const lesson = findLesson('http-response');
const session = new CheckSession();
const print = (result: { ok: boolean; errors: Array<{ message: string }> }) =>
  process.stdout.write(`${JSON.stringify({ ok: result.ok, errors: result.errors.map((e) => e.message) })}\n`);
const running = session.run(lesson, { root: solutionsDir });
setTimeout(() => {
  throw new Error('Worker exited unexpectedly');
}, 100);
print(await running);
print(await session.run(lesson, { root: solutionsDir }));
await session.close();

// The made-up lesson of thread-reuse.ts: its first test tells what the worker thread running it has
// seen, by failing with it as JSON; its second never ends, and so fails with the run's test timeout.
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { expect, test } from '#harness/testing/index.ts';

const seen = globalThis as { learnerModuleLoads?: number };

// Its own bound, not the run's (which the second test measures): an import is slow on a busy machine.
test('tells what its thread has seen', { timeout: 30_000 }, async () => {
  // The learner's module (written by thread-reuse.ts) counts its loads in this thread's globals.
  await import(path.join(process.env.LEARN_ROOT!, 'module.ts'));
  expect.fail(
    JSON.stringify({
      threadId,
      // When this thread's Node was up (nodeTiming is the thread's own; timeOrigin the process's).
      threadStartedAt: performance.timeOrigin + performance.nodeTiming.bootstrapComplete,
      loads: seen.learnerModuleLoads,
      seed: process.env.LEARN_SEED ?? null,
    }),
  );
});

test('never ends', () => new Promise(() => {}));

// A session that prepares its worker threads between runs (the resident check process, learn
// watch: check/thread-shelf.ts) hands each run a thread started before the run began, in which the
// learner's code has never run, and with that run's own environment and test timeout.

import { expect, test } from 'vitest';
import { runSupportScript } from './support/run-script.ts';

interface Seen {
  threadId: number;
  threadStartedAt: number;
  loads: number;
  seed: string | null;
}

test('each run gets a thread prepared before it began, new to the learner’s code, with its own seed and timeout', () => {
  // Three runs and a warm-up in their own Vitest instance: 5 s idle, 30 s seen at load 20.
  const runs = runSupportScript<{ runStartedAt: number; messages: Record<string, string> }>('thread-reuse.ts', 120_000);
  expect(runs).toHaveLength(3);
  const seen = runs.map((r) => JSON.parse(r.messages['tells what its thread has seen']!) as Seen);
  // A thread is never given a second run: whatever the learner's code left in it stays there.
  expect(new Set(seen.map((s) => s.threadId)).size).toBe(3);
  expect(seen.map((s) => s.loads)).toEqual([1, 1, 1]);
  // Prepared ahead: the thread was up before its run began.
  for (const [i, s] of seen.entries()) expect(s.threadStartedAt, `run ${i + 1}`).toBeLessThan(runs[i]!.runStartedAt);
  // Each run's own environment and timeout, not those of the run that prepared the thread.
  expect(seen.map((s) => s.seed)).toEqual([null, '7', null]);
  expect(runs.map((r) => r.messages['never ends']!.split('\n')[0])).toEqual([
    'Test timed out in 300ms.',
    'Test timed out in 500ms.',
    'Test timed out in 400ms.',
  ]);
});

// A Vitest worker that dies during a run (Vitest then throws "Worker exited unexpectedly" from the
// event loop) fails that run with the message, and the command goes on: the next run, in a fresh
// instance, passes. Before, the author matrix (`learn dev check`) crashed with an unhandled error.

import { expect, test } from 'vitest';
import { runSupportScript } from './support/run-script.ts';

test('a worker that dies fails the run in flight with its message, and the next run goes on', () => {
  const [first, second] = runSupportScript<{ ok: boolean; errors: string[] }>('worker-exit.ts');
  expect(first!.ok).toBe(false);
  expect(first!.errors).toContain('Worker exited unexpectedly');
  expect(second).toEqual({ ok: true, errors: [] });
});

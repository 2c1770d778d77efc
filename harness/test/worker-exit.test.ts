// A Vitest worker that dies during a run (Vitest then throws "Worker exited unexpectedly" from the
// event loop) fails that run with the message, and the command goes on: the next run, in a fresh
// instance, passes. Before, the author matrix (`learn dev check`) crashed with an unhandled error.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../paths.ts';

test('a worker that dies fails the run in flight with its message, and the next run goes on', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'harness', 'test', 'support', 'worker-exit.ts')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const [first, second] = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { ok: boolean; errors: string[] });
  expect(first!.ok).toBe(false);
  expect(first!.errors).toContain('Worker exited unexpectedly');
  expect(second).toEqual({ ok: true, errors: [] });
});

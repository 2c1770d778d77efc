// Runs a support script of this folder in a Node process of its own (a CheckSession with its own
// Vitest instance, outside the test run that asks), and returns what it printed: a JSON value a line.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../../paths.ts';

export function runSupportScript<T>(name: string, timeoutMs = 60_000): T[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, name)], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: timeoutMs,
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

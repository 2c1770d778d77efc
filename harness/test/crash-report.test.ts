// Issue 7, end to end: a learner's server that crashes during a check (no 'error' listener, and a
// client resets) is reported as dead first — in the message, in the Why with the exception's first
// line, in Try with the next step, and in the transcript — never as a server that merely stopped
// accepting connections. Runs lesson 1's checks on its known mistake `no-error-listener`.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot } from '../paths.ts';

test("a server killed by a client's reset is reported as exited, with its exception and the fix", () => {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'harness', 'test', 'support', 'report.ts'), 'tcp-echo', 'no-error-listener'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeout: 60_000,
    },
  );
  expect(run.status, run.stderr).toBe(0);
  const lines = run.stdout.split('\n');
  const failed = lines.findIndex((line) => line.includes('✗'));
  expect(lines[failed]).toContain('survives clients that reset the connection');
  // The first line of the failure is the exit; whatever the socket saw follows it.
  const first = lines
    .slice(failed + 1)
    .find((line) => line.trim() !== '')!
    .trim();
  expect(first).toMatch(/^Your server exited with code 1\. Expected /);
  expect(run.stdout).toMatch(/Why {3}It crashed on "Error: (write|read) (ECONNRESET|EPIPE)".*: an 'error' event that no listener handled/);
  expect(run.stdout).toMatch(/Try {3}Add socket\.on\('error', …\) to every socket/);
  expect(run.stdout).toMatch(/server {3}your server exited \(code 1\): Error: (write|read) (ECONNRESET|EPIPE)/);
  expect(run.stdout).not.toMatch(/close its listening socket|Nothing accepted the connection/);
});

// Every lesson's hidden tests, proven: they pass on the reference and fail on the pristine stub
// and on every known mistake (`learn dev check`, one lesson per process, two at a time).

import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LessonVerdict } from '../dev/verify.ts';
import { lessons } from '../lesson.ts';
import { repoRoot } from '../paths.ts';

function devCheck(slug: string): Promise<{ ok: boolean; lessons: LessonVerdict[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'learn.mjs'), 'dev', 'check', slug, '--json'], {
      cwd: repoRoot,
      env: { ...process.env, CI: '1', NO_COLOR: '1', LEARN_ROOT: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve({ ...JSON.parse(stdout.slice(stdout.indexOf('{'))), stderr });
      } catch {
        reject(new Error(`learn dev check ${slug} printed no verdict:\n${stdout}\n${stderr}`));
      }
    });
  });
}

describe.concurrent('every lesson: reference passes, stub and known mistakes fail', () => {
  for (const lesson of lessons) {
    test(`${lesson.number} ${lesson.slug}`, { timeout: 240_000 }, async () => {
      const { lessons: [verdict] } = await devCheck(lesson.slug);
      const wrong = verdict!.targets
        .filter((t) => !t.ok)
        .map((t) => (t.shouldPass ? `${t.target} should pass but ${t.failed} failed (first: ${t.caughtBy})` : `${t.target} should fail but every test passed`));
      expect([...verdict!.problems, ...wrong]).toEqual([]);
      expect(verdict!.targets.length).toBeGreaterThanOrEqual(5); // solution, stub, and at least 3 mistakes
    });
  }
});

// Every lesson's hidden tests, proven: they pass on the reference and fail on the pristine stub
// and on every known mistake. One `learn dev check` runs the whole matrix (warm Vitest instances,
// two runs at a time: dev/matrix.ts); each target is a test here that waits for its verdict, so
// the report names the exact reference, stub or mistake that is wrong. This is the only place
// `npm test` runs the lessons' checks: the reference runs once.
// LEARN_MATRIX_SEEDS runs each mistake with that many seeds (default 1 here; `learn dev check`
// uses 3, to find mistakes caught only sometimes); LEARN_MATRIX_LANES, runs at once (default 2).
// LEARN_MATRIX_MISTAKES=off runs only the references and the stubs: CI's run on its second Node
// (.ci/run), where what can differ is how the references and the checks' clients behave.
// On a developer's machine a lesson whose inputs have not changed since it last passed is not run
// again: its verdict comes from the cache (dev/matrix-cache.ts, keyed by content hashes). Never in
// CI (CI set); `LEARN_MATRIX_CACHE=off npm test` runs every lesson.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LessonVerdict, TargetVerdict } from '../dev/verify.ts';
import { cacheEnabled, VerdictCache, verdictKeys } from '../dev/matrix-cache.ts';
import { lessons, mistakes } from '../lesson.ts';
import { repoRoot, stateDir } from '../paths.ts';

interface Matrix {
  ok: boolean;
  seconds: number;
  lessons: LessonVerdict[];
}

let matrix: Promise<Matrix> | undefined;

/** The matrix: passing verdicts from the cache where their inputs are unchanged, the rest run once (on first use). */
function runMatrix(): Promise<Matrix> {
  matrix ??= (async () => {
    const seeds = process.env.LEARN_MATRIX_SEEDS ?? '1';
    // A partial matrix's verdicts are not kept: the cache holds whole lessons.
    if (!withMistakes) return runLessons([], seeds);
    if (!cacheEnabled()) return runLessons([], seeds);
    const keys = verdictKeys(lessons, { root: repoRoot, nodeVersion: process.version, settings: `seeds ${seeds}` });
    const cache = new VerdictCache<LessonVerdict>(path.join(stateDir, 'cache', 'matrix-verdicts.json'));
    const cached = lessons.flatMap((lesson) => cache.get(lesson.slug, keys.get(lesson.slug)!) ?? []);
    const toRun = lessons.filter((lesson) => !cached.some((verdict) => verdict.slug === lesson.slug));
    if (cached.length > 0)
      console.log(
        `Lesson matrix: ${cached.length} of ${lessons.length} lessons unchanged since they passed (cached verdicts; LEARN_MATRIX_CACHE=off runs them).`,
      );
    const fresh: Matrix =
      toRun.length > 0
        ? await runLessons(
            toRun.map((l) => l.slug),
            seeds,
          )
        : { ok: true, seconds: 0, lessons: [] };
    // A file saved while the matrix ran: that lesson's verdict is of neither version, so not kept.
    const after = verdictKeys(lessons, { root: repoRoot, nodeVersion: process.version, settings: `seeds ${seeds}` });
    for (const verdict of fresh.lessons) {
      if (verdict.ok && after.get(verdict.slug) === keys.get(verdict.slug)) cache.set(verdict.slug, keys.get(verdict.slug)!, verdict);
      else cache.delete(verdict.slug);
    }
    cache.save();
    return { ok: fresh.ok, seconds: fresh.seconds, lessons: [...cached, ...fresh.lessons] };
  })();
  return matrix;
}

const withMistakes = process.env.LEARN_MATRIX_MISTAKES !== 'off';

/** One `learn dev check --json` for these lessons (all, when none are named). */
function runLessons(slugs: string[], seeds: string): Promise<Matrix> {
  return new Promise((resolve, reject) => {
    const lanes = process.env.LEARN_MATRIX_LANES ?? '2';
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, 'bin', 'learn.mjs'),
        'dev',
        'check',
        ...slugs,
        '--json',
        '--seeds',
        seeds,
        '--lanes',
        lanes,
        ...(withMistakes ? [] : ['--without-mistakes']),
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, CI: '1', NO_COLOR: '1', LEARN_ROOT: '' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(JSON.parse(stdout.slice(stdout.indexOf('{'))) as Matrix);
      } catch {
        reject(new Error(`learn dev check printed no verdict:\n${stdout}\n${stderr}`));
      }
    });
  });
}

async function verdictOf(slug: string, target: string): Promise<{ lesson: LessonVerdict; target: TargetVerdict | undefined }> {
  const lesson = (await runMatrix()).lessons.find((l) => l.slug === slug)!;
  return { lesson, target: lesson.targets.find((t) => t.target === target) };
}

function explain(t: TargetVerdict): string {
  if (t.runs.length === 0) return `${t.target} could not be made: ${t.caughtBy}`;
  if (t.shouldPass) return `${t.target} should pass but ${t.failed} failed (first: ${t.caughtBy})`;
  const missed = t.runs.filter((r) => !r.ok).map((r) => r.seed);
  return `${t.target} should fail but every test passed (seed ${missed.join(', ')})`;
}

/** The matrix bounds each of its runs; this only bounds a matrix that hangs (on a loaded machine it takes many minutes). */
const MATRIX_TIMEOUT_MS = 3_600_000;

describe.concurrent.each(lessons.map((lesson) => [`${lesson.number} ${lesson.slug}`, lesson] as const))('%s', (_name, lesson) => {
  test('lesson files, stub and hints are in place', { timeout: MATRIX_TIMEOUT_MS }, async () => {
    const { lesson: verdict } = await verdictOf(lesson.slug, '');
    expect(verdict.problems).toEqual([]);
    expect(mistakes(lesson).length).toBeGreaterThanOrEqual(3);
  });
  const targets = ['solution', 'stub', ...(withMistakes ? mistakes(lesson).map((name) => `mistake "${name}"`) : [])];
  for (const name of targets) {
    test(`${name} ${name === 'solution' ? 'passes' : 'fails'}`, { timeout: MATRIX_TIMEOUT_MS }, async () => {
      const { target } = await verdictOf(lesson.slug, name);
      expect(target, `no verdict for ${name}`).toBeDefined();
      expect(target!.ok ? [] : [explain(target!)]).toEqual([]);
    });
  }
});

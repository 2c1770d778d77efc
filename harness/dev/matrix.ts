// The author checks' runs: every lesson's tests against its reference (must pass), its stub and
// each known mistake (must fail), each mistake under several seeds. Runs go to a few lanes, each a
// warm CheckSession (one Vitest instance, kept for every run it takes), pulling from one queue:
// on the 2-core machine two lanes keep both cores busy without starving the servers under test.

import fs from 'node:fs';
import path from 'node:path';
import type { Lesson } from '../lesson.ts';
import { stateDir } from '../paths.ts';
import { prepareAuthorTarget } from './targets.ts';
import { CheckSession, isWorkerExit, type RunResult } from '../check/session.ts';
import { describeTarget, type Target } from '../testing/target.ts';

export interface MatrixJob {
  lesson: Lesson;
  target: Target;
  /** One run per seed; the reference and the stub run once. */
  seeds: number[];
}

export interface SeedRun {
  seed: number;
  passed: number;
  failed: number;
  /** The test that failed first (tests stop at the first failure), or the error that stopped the run. */
  killedBy?: string;
  /** The file of that test, relative to the lesson's .check folder. */
  killedIn?: string;
  ok: boolean;
  ms: number;
}

export interface JobResult {
  job: MatrixJob;
  runs: SeedRun[];
  /** The target could not be made (a patch that no longer applies). */
  error?: string;
}

/** Fresh seeds for a mistake's runs; printed with a verdict so that any run can be replayed. */
export function seedsFor(count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(Math.random() * 2 ** 31));
}

/**
 * Runs every job on `lanes` sessions; reports each job as it finishes. Results in job order.
 * The longest jobs (as long as they took last time) go first, so that no lane is left alone with
 * a long one at the end while the others idle.
 */
export async function runMatrix(jobs: MatrixJob[], lanes: number, onJob?: (result: JobResult) => void): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  const before = readTimes();
  const expected = (job: MatrixJob) => (before[keyOf(job)] ?? Infinity) * job.seeds.length;
  const order = jobs.map((_, index) => index).sort((a, b) => expected(jobs[b]!) - expected(jobs[a]!));
  let next = 0;
  const lane = async () => {
    const session = new CheckSession({ keepWarm: true });
    try {
      while (next < order.length) {
        const index = order[next++]!;
        results[index] = await runJob(session, jobs[index]!);
        onJob?.(results[index]);
      }
    } finally {
      await session.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, jobs.length)) }, lane));
  writeTimes(before, results);
  return results;
}

/** How long each job's runs took last time (ms per run), kept between runs to order the queue. */
const timesFile = path.join(stateDir, 'cache', 'matrix-times.json');

function keyOf(job: MatrixJob): string {
  return `${job.lesson.slug} ${describeTarget(job.target)}`;
}

function readTimes(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(timesFile, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function writeTimes(before: Record<string, number>, results: JobResult[]): void {
  const times = { ...before };
  for (const { job, runs } of results) if (runs.length > 0) times[keyOf(job)] = Math.round(runs.reduce((sum, run) => sum + run.ms, 0) / runs.length);
  try {
    fs.mkdirSync(path.dirname(timesFile), { recursive: true });
    fs.writeFileSync(timesFile, JSON.stringify(times, null, 1));
  } catch {
    // Only an ordering hint.
  }
}

async function runJob(session: CheckSession, job: MatrixJob): Promise<JobResult> {
  const shouldPass = job.target.kind === 'solution';
  let prepared: ReturnType<typeof prepareAuthorTarget>;
  try {
    prepared = prepareAuthorTarget(job.lesson, job.target);
  } catch (error) {
    return { job, runs: [], error: (error as Error).message };
  }
  const runs: SeedRun[] = [];
  try {
    for (const seed of job.seeds) {
      const started = performance.now();
      const attempt = async (): Promise<RunResult> => {
        try {
          return await session.run(job.lesson, { root: prepared.root, seed });
        } catch (error) {
          return { passed: 0, failed: 0, skipped: 0, tests: [], errors: [{ message: (error as Error).message }], ok: false };
        }
      };
      let result = await attempt();
      // A Vitest worker that died says nothing about the target (and may have been the other
      // lane's): once more; a second time, it is this run's failure, with the message.
      if (result.errors.some(isWorkerExit)) result = await attempt();
      const killer = result.tests.find((t) => t.state === 'failed');
      runs.push({
        seed,
        passed: result.passed,
        failed: result.failed,
        killedBy: killer?.name ?? result.errors[0]?.message.split('\n')[0],
        killedIn: killer?.file,
        ok: shouldPass ? result.ok : !result.ok,
        ms: Math.round(performance.now() - started),
      });
    }
  } finally {
    prepared.dispose();
  }
  return { job, runs };
}

export function describeJob(job: MatrixJob): string {
  return describeTarget(job.target);
}

// Author checks for a lesson: its files are where the manifest says, its stub is marked and
// pristine, its hint ladder has rungs, and its tests pass on the reference but fail on the stub
// and on every known mistake. `learn dev check` and `npm test` both run these.

import fs from 'node:fs';
import path from 'node:path';
import { checkFolder, hints, lessonFolder, mistakes, providedFiles, solutionFolder, type Lesson } from '../lesson.ts';
import { describeTarget } from '../testing/target.ts';
import { testFiles } from '../check/session.ts';
import { runMatrix, seedsFor, type JobResult, type MatrixJob, type SeedRun } from './matrix.ts';
import { applyPatchFile, describeMistake, mistakePatchFile, pristineStub, stubPatchFile } from './patches.ts';

export interface TargetVerdict {
  target: string;
  /** Whether the tests should pass on this target (only the solution should). */
  shouldPass: boolean;
  passed: number;
  failed: number;
  /** For the stub and mistakes: the test that caught it (the first failing test), in its first run. */
  caughtBy?: string;
  /** Every test that caught it, with the seeds of the runs where it did. */
  killedBy: Array<{ test: string; file?: string; seeds: number[] }>;
  /** Caught in some runs and not in others: a check that catches this mistake only sometimes. */
  flaky: boolean;
  /** One entry per seed. */
  runs: SeedRun[];
  ok: boolean;
}

export interface LessonVerdict {
  slug: string;
  problems: string[];
  targets: TargetVerdict[];
  ok: boolean;
}

export interface VerifyOptions {
  /** Runs per known mistake, each with its own seed (the reference and the stub run once). */
  seeds?: number;
  /** Sessions running at once. */
  lanes?: number;
  /** Only the references and the stubs: CI's second Node runs those (.ci/run), the first runs all. */
  withoutMistakes?: boolean;
  onTarget?: (lesson: Lesson, verdict: TargetVerdict) => void;
}

/** Problems a look at the files finds, without running anything. */
export function inspect(lesson: Lesson): string[] {
  const problems: string[] = [];
  const need = (file: string, what: string) => {
    if (!fs.existsSync(file)) problems.push(`missing ${what}: ${file}`);
  };
  need(path.join(lessonFolder(lesson), 'README.md'), 'lesson text');
  const rungs = hints(lesson).length;
  if (rungs < 3) problems.push(`hints.md has ${rungs} hints; a ladder needs at least 3 (nudge to near-answer)`);
  for (const file of lesson.files) {
    need(path.join(lessonFolder(lesson), file), 'stub');
    need(path.join(solutionFolder(lesson), file), 'solution');
  }
  need(stubPatchFile(lesson), 'stub patch');
  // Files the lesson provides (not the learner's to write) are the same in lessons/ and solutions/.
  for (const file of providedFiles(lesson)) {
    const provided = path.join(lessonFolder(lesson), file);
    const reference = path.join(solutionFolder(lesson), file);
    if (!fs.existsSync(provided)) problems.push(`${path.join(lesson.folder, file)} is missing: solutions/${lesson.folder}/${file} is provided to the learner`);
    else if (!fs.readFileSync(provided).equals(fs.readFileSync(reference)))
      problems.push(`${path.join(lesson.folder, file)} is provided (not in files) but differs from solutions/${lesson.folder}/${file}`);
  }
  if (problems.length > 0) return problems;
  try {
    const stub = pristineStub(lesson);
    if (![...stub.values()].some((content) => content.includes('TODO'))) problems.push("the stub has no TODO marking the learner's work");
    // Every file the manifest gives the learner to write must have work left in it: a stub file
    // identical to the reference ships the answer (and `learn reset` restores the answer).
    for (const file of lesson.files) {
      if (stub.get(file) === fs.readFileSync(path.join(solutionFolder(lesson), file), 'utf8')) {
        problems.push(
          `${path.join(lesson.folder, file)} is one of the learner's files (the manifest's files) but the stub leaves it identical to the reference: put TODOs where the README and hints say the work is, then \`learn dev stub ${lesson.slug}\``,
        );
      }
    }
    for (const [file, content] of stub) {
      if (content !== fs.readFileSync(path.join(lessonFolder(lesson), file), 'utf8')) {
        problems.push(
          `${path.join(lesson.folder, file)} differs from the stub that .check/stub.patch makes (edited on purpose? \`learn dev stub ${lesson.slug}\` records it; by accident? \`learn reset ${lesson.slug}\`)`,
        );
      }
    }
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (testFiles(lesson).length === 0) problems.push(`no *.test.ts in ${checkFolder(lesson)}`);
  const known = mistakes(lesson);
  if (known.length < 3) problems.push(`${known.length} known mistakes in .check/mistakes; each lesson needs at least 3`);
  for (const name of known) {
    try {
      applyPatchFile(lesson, mistakePatchFile(lesson, name));
      if (!describeMistake(lesson, name)) problems.push(`mistake ${name} adds no "// MISTAKE: …" line saying what it gets wrong`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

/** Runs the tests on each lesson's solution, stub and mistakes, all lessons in one matrix. */
export async function verifyAll(chosen: readonly Lesson[], options: VerifyOptions = {}): Promise<LessonVerdict[]> {
  const problems = new Map(chosen.map((lesson) => [lesson.slug, inspect(lesson)]));
  const jobs: MatrixJob[] = [];
  for (const lesson of chosen) {
    if (testFiles(lesson).length === 0) continue;
    jobs.push({ lesson, target: { kind: 'solution' }, seeds: seedsFor(1) }, { lesson, target: { kind: 'stub' }, seeds: seedsFor(1) });
    if (options.withoutMistakes) continue;
    for (const name of mistakes(lesson)) jobs.push({ lesson, target: { kind: 'mistake', name }, seeds: seedsFor(options.seeds ?? 3) });
  }
  const verdicts = new Map<string, TargetVerdict[]>(chosen.map((lesson) => [lesson.slug, []]));
  const results = await runMatrix(jobs, options.lanes ?? 2, (result) => options.onTarget?.(result.job.lesson, verdictOf(result)));
  for (const result of results) verdicts.get(result.job.lesson.slug)!.push(verdictOf(result));
  return chosen.map((lesson) => {
    const targets = verdicts.get(lesson.slug)!;
    const found = problems.get(lesson.slug)!;
    return { slug: lesson.slug, problems: found, targets, ok: found.length === 0 && targets.every((t) => t.ok) };
  });
}

/** Runs the tests on the solution, the stub and each mistake of one lesson. */
export async function verify(
  lesson: Lesson,
  onTarget?: (verdict: TargetVerdict) => void,
  options: Omit<VerifyOptions, 'onTarget'> = {},
): Promise<LessonVerdict> {
  const [verdict] = await verifyAll([lesson], { ...options, onTarget: (_lesson, target) => onTarget?.(target) });
  return verdict!;
}

function verdictOf({ job, runs, error }: JobResult): TargetVerdict {
  const shouldPass = job.target.kind === 'solution';
  const target = describeTarget(job.target);
  if (error !== undefined) return { target, shouldPass, passed: 0, failed: 0, caughtBy: error, killedBy: [], flaky: false, runs, ok: false };
  const killedBy: TargetVerdict['killedBy'] = [];
  if (!shouldPass) {
    for (const run of runs.filter((r) => r.ok && r.killedBy !== undefined)) {
      const entry = killedBy.find((k) => k.test === run.killedBy);
      if (entry) entry.seeds.push(run.seed);
      else killedBy.push({ test: run.killedBy!, file: run.killedIn, seeds: [run.seed] });
    }
  }
  const caught = runs.filter((r) => r.ok).length;
  const flaky = !shouldPass && caught > 0 && caught < runs.length;
  const first = runs[0];
  return {
    target,
    shouldPass,
    passed: first?.passed ?? 0,
    failed: first?.failed ?? 0,
    caughtBy: first?.killedBy,
    killedBy,
    flaky,
    runs,
    ok: runs.length > 0 && runs.every((r) => r.ok),
  };
}

// `learn check [lesson]`: run the lesson's hidden checks against the learner's code (or the
// reference with --solution), show each step, record a pass, and say what comes next.

import path from 'node:path';
import { LearnerReporter } from '../../check/reporter.ts';
import { renderRunError } from '../../check/render-failure.ts';
import { blameFailure, describeBlame } from '../../check/blame.ts';
import { runLessonTests, type RunResult } from '../../check/run.ts';
import { CheckSession, LEARNER_WORKERS } from '../../check/session.ts';
import { lessonFolder, lessons, type Lesson } from '../../lesson.ts';
import { repoRoot } from '../../paths.ts';
import { reapStrays } from '../../process/reaper.ts';
import { paint } from '../../terminal.ts';
import { UsageError, type Context } from '../context.ts';
import { Progress, dependsOnUnpassed } from '../progress.ts';
import { ask } from '../prompt.ts';

/**
 * Where a check runs: in this process (the default below), or in the resident check process
 * (resident/server.ts), which keeps its session between checks and shows the output, takes Ctrl-C
 * and asks "What now?" in the `learn check` process that asked it to run.
 */
export interface CheckRuntime {
  /** A session the caller keeps (not closed after the check); by default one of its own. */
  session?: CheckSession;
  /** Ctrl-C: `release` shows the failure held so far; the runtime then stops the programs and ends the check (exit 130). */
  onInterrupt(release: () => void): void;
  /** Stops what the check started and left running. */
  reap(): void;
  /** After a pass in a terminal: one key for what most learners do next. */
  offerNext(context: Context, lesson: Lesson, next: Lesson | undefined): Promise<void>;
}

const inProcess: CheckRuntime = {
  // `on`, not `once`: npm's copy of the Ctrl-C may come while this one's handler runs, and with no
  // listener left it would end the process by the signal instead of with 130 (cli/signal-exit.ts).
  onInterrupt: (release) => {
    let interrupted = false;
    process.on('SIGINT', () => {
      if (interrupted) return;
      interrupted = true;
      release();
      reapStrays();
      process.exit(130);
    });
  },
  reap: () => void reapStrays(),
  offerNext,
};

/**
 * Programs the latest check of this process started (before any blame): the resident process that
 * `learn check` starts after an in-process check keeps that many zygotes ready for the next.
 */
let programsOfLastCheck: number | undefined;

export function programsStartedByLastCheck(): number | undefined {
  return programsOfLastCheck;
}

export async function check(context: Context): Promise<number> {
  const runtime = context.check ?? inProcess;
  const progress = await Progress.open(context);
  const lesson = progress.lessonFor(context);
  const solution = context.flags.solution === true;
  const seed = parseSeed(context.flags.seed);

  const whose = solution ? 'the reference solution' : lesson.files.map((f) => path.relative(repoRoot, path.join(lessonFolder(lesson), f))).join(', ');
  context.out(`${paint.heading(`Checking lesson ${lesson.number}: ${lesson.title}`)} ${paint.dim(`(${whose})`)}`);
  // A lesson jumped to: say which unpassed lessons its checks run, before any failure (a locked
  // one was told so already, by lessonFor).
  const unpassed = solution || !progress.isUnlocked(lesson) ? [] : progress.unpassedUsed(lesson);
  if (unpassed.length > 0) context.out(paint.warning(dependsOnUnpassed(lesson, unpassed)));
  context.out('');

  // The first failure's report waits for its blame (check/blame.ts): an earlier lesson's file at
  // fault is said first. Nothing is held, and nothing more runs, when the checks pass.
  const reporter = new LearnerReporter({ lesson, verbose: context.flags.verbose === true, all: context.flags.all === true, hold: !solution });
  // Ctrl-C mid-check (or mid-blame): show the failure as it is, stop every program the check
  // started, and go.
  let interrupted = false;
  runtime.onInterrupt(() => {
    interrupted = true;
    reporter.release();
  });
  // One test file per core (kept for the blame's runs of the failed test).
  const session = runtime.session ?? new CheckSession({ workers: LEARNER_WORKERS });
  let result: RunResult;
  try {
    result = await runLessonTests(lesson, {
      target: solution ? { kind: 'solution' } : { kind: 'lesson' },
      seed,
      bail: context.flags.all !== true,
      reporters: [reporter],
      session,
    });
    programsOfLastCheck = session.programsStarted;
    const failed = result.tests.find((t) => t.state === 'failed');
    // A blame that cannot be made (a scratch copy that fails) leaves the report as it was.
    const blamed =
      !solution && failed && !result.stalled && !interrupted
        ? await blameFailure(lesson, { session, failed, seed: seed ?? reporter.failureSeed }).catch(() => undefined)
        : undefined;
    reporter.release(blamed ? describeBlame(lesson, blamed).map((line) => paint.strong(line)) : []);
  } finally {
    reporter.release();
    if (!runtime.session) await session.close();
    runtime.reap();
  }

  for (const error of result.errors) for (const line of renderRunError(error)) context.out(`  ${line}`);
  context.out('');
  if (!result.ok) {
    context.out(`${paint.failure(failedSummary(reporter.shownFailures, result.failed))} ${FAILED_NEXT(lesson)}`);
    return 1;
  }
  context.out(paint.success(paint.strong(`All ${result.passed} checks passed.`)));
  if (solution) return 0;

  const first = !progress.isPassed(lesson);
  progress.markPassed(lesson);
  context.out('');
  context.out(paint.heading(first ? 'What you learned' : 'What this lesson was about'));
  for (const line of lesson.learned) context.out(`  • ${line}`);
  context.out('');
  context.out(`Compare with the reference: ${paint.code(`npx learn diff ${lesson.slug}`)}`);
  // Names exactly what `learn next` opens (progress.ts has the rule), even after a jump ahead.
  const next = progress.upNext();
  if (next) context.out(`Go on to lesson ${next.number}, ${next.title}: ${paint.code('npx learn next')}`);
  else context.out(paint.success(`You have passed all ${lessons.length} lessons. Well done.`));

  if (context.interactive) await runtime.offerNext(context, lesson, next);
  return 0;
}

function parseSeed(value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed takes a whole number, like the one a failed check prints; received "${value}".`);
  return seed;
}

/** In a terminal, after a pass: one key for what most learners do next (prompt.ts: it never waits long). */
export async function offerNext(context: Context, lesson: Lesson, next: Lesson | undefined): Promise<void> {
  const choices = [{ key: 'd', label: 'your code beside the reference' }];
  if (next) choices.push({ key: 'n', label: `lesson ${next.number}` });
  choices.push({ key: 'q', label: 'done' });
  const choice = await ask({ question: 'What now?', choices, fallback: 'q', timeoutMs: WHAT_NOW_TIMEOUT_MS });
  context.out('');
  if (choice === 'd') await (await import('./solution.ts')).diff({ ...context, args: [lesson.slug] });
  if (choice === 'n') await (await import('./next.ts')).next(context);
}

const WHAT_NOW_TIMEOUT_MS = 30_000;

/**
 * The summary line of a failed run: as many failures as the report shows (✗), so that it never
 * counts one more than the learner can see. Others that ran beside the first (test.concurrent)
 * wait their turn like the checks after it; --all shows each.
 */
export function failedSummary(shown: number, failed: number): string {
  if (shown === 0) return failed > 0 ? `${failed === 1 ? 'A check' : `${failed} checks`} failed.` : 'The checks could not run.';
  return shown === 1 ? 'A check failed.' : `${shown} checks failed.`;
}

const FAILED_NEXT = (lesson: Lesson) =>
  `Fix the first failure above, then run ${paint.code(`npx learn check ${lesson.slug}`)} again. Stuck? ${paint.code(`npx learn hint ${lesson.slug}`)}`;

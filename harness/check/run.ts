// Runs one lesson's hidden tests with Vitest, in this process, against a chosen target, and
// reports them through the given reporters. `learn check` runs it once; `learn watch` and the
// author checks keep a CheckSession (check/session.ts) for many runs.

import type { Reporter } from 'vitest/node';
import type { Lesson } from '../lesson.ts';
import { reapStrays } from '../process/reaper.ts';
import type { Target } from '../testing/target.ts';
import { prepareTarget, type PreparedTarget } from './prepare-target.ts';
import { trace } from '../trace.ts';
import { CheckSession, LEARNER_WORKERS, type RunResult } from './session.ts';

trace('check/run.ts loaded');
export { testFiles, type RunError, type RunResult, type TestOutcome } from './session.ts';

export interface RunOptions {
  /** The learner's work or the reference; anything else comes as `prepared`. */
  target: Target;
  /** A tree made already (dev/targets.ts: a stub or a mistake); disposed of after the run. */
  prepared?: PreparedTarget;
  /** Replays the random cuts of an earlier run. */
  seed?: number;
  /** Stop at the first failing test (default): fix one thing at a time. */
  bail?: boolean;
  reporters?: Reporter[];
  /** Run in this session (kept warm by the caller) instead of a new one closed afterwards. */
  session?: CheckSession;
}

export async function runLessonTests(lesson: Lesson, options: RunOptions): Promise<RunResult> {
  const { root, dispose } = options.prepared ?? prepareTarget(lesson, options.target);
  // Two workers: one test file per core.
  const session = options.session ?? new CheckSession({ workers: LEARNER_WORKERS });
  try {
    return await session.run(lesson, { root, seed: options.seed, bail: options.bail, reporters: options.reporters });
  } finally {
    if (!options.session) await session.close();
    trace('closed');
    dispose();
    if (!options.session) reapStrays();
  }
}

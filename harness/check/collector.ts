// Gathers a run's outcome from Vitest's events, and watches the run for a stall: a worker stuck in
// a learner's busy loop cannot end its own test, so the main thread must notice (check/session.ts).

import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { repoRoot } from '../paths.ts';
import { trace, tracing } from '../trace.ts';
import type { RunError, RunResult, TestOutcome } from './session.ts';

/** Gathers a run's outcome and watches it for a stall. */
export class Collector implements Reporter {
  private readonly tests: TestOutcome[] = [];
  private readonly errors: RunError[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  stalled = false;

  constructor(
    readonly stallMs: number,
    private readonly onStall: () => void,
    private readonly folder: string,
  ) {}

  onTestModuleQueued(module: TestModule): void {
    trace(`queued ${path.basename(module.moduleId)}`);
    this.arm();
  }

  onTestModuleCollected(module: TestModule): void {
    trace(`collected ${path.basename(module.moduleId)}`);
  }

  onTestCaseReady(): void {
    this.arm();
  }

  /** Called at the first failed test (stops the run, unless the run goes on after failures). */
  onFailure: (() => void) | undefined;

  onTestCaseResult(testCase: TestCase): void {
    this.arm();
    const state = testCase.result().state;
    if (state === 'failed' && !this.tests.some((t) => t.state === 'failed')) this.onFailure?.();
    trace(`${state} ${testCase.name} (${Math.round(testCase.diagnostic()?.duration ?? 0)} ms)`);
    this.tests.push({
      name: testCase.name,
      id: testCase.id,
      state: state === 'pending' ? 'skipped' : state,
      file: path.relative(this.folder, testCase.module.moduleId),
      durationMs: testCase.diagnostic()?.duration,
    });
  }

  onTestModuleEnd(module: TestModule): void {
    if (tracing) {
      const imports = Object.entries(module.diagnostic().importDurations ?? {}).sort((a, b) => b[1].totalTime - a[1].totalTime);
      for (const [file, d] of imports.slice(0, 25))
        trace(`  import ${path.relative(repoRoot, file)} self ${d.selfTime.toFixed(1)} total ${d.totalTime.toFixed(1)}`);
    }
    for (const error of module.errors()) this.errors.push({ name: error.name, message: error.message, stack: error.stack });
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<RunError>): void {
    this.disarm();
    for (const error of unhandled) this.errors.push({ name: error.name, message: error.message, stack: error.stack });
  }

  fail(error: Error): void {
    this.errors.push({ name: error.name, message: error.message, stack: error.stack });
  }

  /**
   * (Re)starts the watchdog: `stallMs` from now, or `startMs` for the start of a run (a new Vitest
   * instance and its worker thread take a while on a busy machine, and run nothing of the learner's).
   */
  arm(ms = this.stallMs): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.stalled = true;
      this.errors.push({
        message:
          `The checks stopped responding for ${Math.round(this.stallMs / 1000)} s and were stopped. Code of yours that a check runs ` +
          'is probably stuck in a loop that never gives the event loop back (a while loop waiting for data?).',
      });
      this.onStall();
    }, ms);
    this.watchdog.unref();
  }

  disarm(): void {
    clearTimeout(this.watchdog);
  }

  result(): RunResult {
    const count = (state: TestOutcome['state']) => this.tests.filter((t) => t.state === state).length;
    const failed = count('failed');
    return {
      passed: count('passed'),
      failed,
      skipped: count('skipped'),
      tests: this.tests,
      errors: this.errors,
      ok: failed === 0 && this.errors.length === 0 && count('passed') > 0,
      ...(this.stalled ? { stalled: true } : {}),
    };
  }
}

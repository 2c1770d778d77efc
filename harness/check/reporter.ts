// The learner's view of a check: each test a step as it finishes, the first failure in full,
// and what is left to do. Replaces Vitest's own output in `learn check` and `learn watch`.

import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { Lesson } from '../lesson.ts';
import type { TestMeta } from '../testing/meta.ts';
import { indent, paint, symbols } from '../terminal.ts';
import { renderContext, renderFailure, type ReportedError } from './render-failure.ts';
import { trace } from '../trace.ts';

export interface LearnerReporterOptions {
  lesson: Lesson;
  /** Print transcripts of passing tests too. */
  verbose?: boolean;
  /** Every failure in full (`learn check --all`); by default only the first, the one to fix. */
  all?: boolean;
  write?: (text: string) => void;
  /**
   * Keep the first failure's report until `release()` (learn check: the blame of an earlier file,
   * check/blame.ts, is found after the run and goes first in it). What follows it waits too.
   */
  hold?: boolean;
}

export class LearnerReporter implements Reporter {
  private seed: number | undefined;
  private failed = 0;
  private skipped = 0;
  private readonly write: (text: string) => void;
  /** Lines held from the first failure on (options.hold), until release(). */
  private held: string[] | undefined;

  constructor(private readonly options: LearnerReporterOptions) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
  }

  /** The seed of the first failure shown (to run it again the same way). */
  get failureSeed(): number | undefined {
    return this.seed;
  }

  /** How many failures the report shows in full (one, unless --all). */
  get shownFailures(): number {
    return this.failed;
  }

  /** Writes what was held, with `preface` lines first in the failure's report (under its ✗ line). */
  release(preface: string[] = []): void {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    const [title, ...rest] = held;
    if (title !== undefined) this.line(title);
    if (preface.length > 0) this.block(['', ...indent(preface, 6)]);
    for (const line of rest) this.line(line);
    if (title !== undefined) trace('shown: first failure');
  }

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    const meta = testCase.meta() as TestMeta;
    const ms = testCase.diagnostic()?.duration;
    const time = ms === undefined ? '' : paint.dim(`  ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`}`);
    if (result.state === 'passed') {
      this.line(`  ${paint.success(symbols.pass)} ${testCase.name}${time}`);
      if (this.options.verbose) this.block(indent(renderContext(meta), 6));
    } else if (result.state === 'failed' && this.failed > 0 && !this.options.all) {
      // Another test that ran beside the first failure (test.concurrent): it waits its turn, like
      // the tests after the failure that the run never started.
      this.skipped++;
    } else if (result.state === 'failed') {
      this.failed++;
      this.seed ??= meta.seed;
      if (this.options.hold && this.failed === 1) this.held = [];
      this.line(`  ${paint.failure(symbols.fail)} ${paint.strong(testCase.name)}${time}`);
      this.line('');
      this.block(indent(renderFailure(result.errors[0] as ReportedError, meta), 6));
      this.line('');
      if (!this.held) trace('shown: first failure');
    } else {
      this.skipped++;
    }
  }

  onTestModuleEnd(module: TestModule): void {
    for (const error of module.errors()) {
      this.line(paint.failure(`  The checks in ${module.moduleId} could not run: ${error.message}`));
    }
  }

  onTestRunEnd(): void {
    if (this.skipped > 0 && this.failed > 0) {
      this.line(`  ${paint.dim(`${symbols.skip} ${this.skipped} more ${this.skipped === 1 ? 'check waits' : 'checks wait'}: fix this one first.`)}`);
    }
    if (this.failed > 0 && this.seed !== undefined) {
      this.line('');
      this.line(paint.dim(`  Random splits used seed ${this.seed}. Replay them exactly: npx learn check ${this.options.lesson.slug} --seed ${this.seed}`));
    }
  }

  private line(text: string): void {
    if (this.held) this.held.push(text);
    else this.write(`${text}\n`);
  }

  private block(lines: string[]): void {
    for (const line of lines) this.line(line);
  }
}

// Runs one lesson's hidden tests with Vitest, in this process, against a chosen target, and
// reports them through the given reporter. Shared by `learn check`, `learn watch` and the
// author checks (`learn dev check`).

import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { checkFolder, type Lesson } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import { reapStrays } from '../process/reaper.ts';
import { prepareTarget, type Target } from '../testing/target.ts';

export interface RunOptions {
  target: Target;
  /** Replays the random cuts of an earlier run. */
  seed?: number;
  /** Stop at the first failing test (default): fix one thing at a time. */
  bail?: boolean;
  reporters?: Reporter[];
}

export interface TestOutcome {
  name: string;
  state: 'passed' | 'failed' | 'skipped';
}

export interface RunError {
  name?: string;
  message: string;
  stack?: string;
}

export interface RunResult {
  passed: number;
  failed: number;
  skipped: number;
  tests: TestOutcome[];
  /** Errors outside any test: a test file that failed to load, an exception thrown from a callback. */
  errors: RunError[];
  ok: boolean;
}

/** The hidden test files of a lesson, in name order (the order the learner meets them). */
export function testFiles(lesson: Lesson): string[] {
  const dir = checkFolder(lesson);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join(dir, name));
}

export async function runLessonTests(lesson: Lesson, options: RunOptions): Promise<RunResult> {
  const files = testFiles(lesson);
  if (files.length === 0) throw new Error(`Lesson ${lesson.slug} has no tests in ${path.relative(repoRoot, checkFolder(lesson))}.`);
  const { root, dispose } = prepareTarget(lesson, options.target);
  const collector = new Collector(lesson.timeouts.testMs + STALL_GRACE_MS);
  const saved = { root: process.env.LEARN_ROOT, seed: process.env.LEARN_SEED };
  process.env.LEARN_ROOT = root;
  if (options.seed !== undefined) process.env.LEARN_SEED = String(options.seed);
  else delete process.env.LEARN_SEED;
  // Imported here, not at the top: loading Vitest is most of a check's start-up time, and the
  // commands that never run tests should not pay for it.
  const { startVitest } = await import('vitest/node');
  try {
    const vitest = await startVitest(
      'test',
      files,
      {
        config: false,
        root: repoRoot,
        dir: checkFolder(lesson),
        include: ['**/*.test.ts'],
        watch: false,
        reporters: [collector, ...(options.reporters ?? [])],
        // Threads start faster than forks; one file at a time keeps the learner's order.
        pool: 'threads',
        fileParallelism: false,
        sequence: { sequencer: NameOrderSequencer },
        bail: options.bail === false ? 0 : 1,
        testTimeout: lesson.timeouts.testMs,
        hookTimeout: lesson.timeouts.testMs,
        env: { LEARN_ROOT: root, ...(options.seed !== undefined ? { LEARN_SEED: String(options.seed) } : {}) },
      },
      { server: { watch: null }, logLevel: 'silent' },
      { stdout: devNull(), stderr: devNull() },
    );
    await vitest.close();
  } finally {
    dispose();
    reapStrays();
    restore('LEARN_ROOT', saved.root);
    restore('LEARN_SEED', saved.seed);
  }
  return collector.result();
}

/**
 * Vitest's own timeout cannot stop a test whose thread is stuck in a loop (a busy loop in an
 * imported learner module blocks the timer that would end it). The collector watches from the
 * main thread: no test finished for this long past the test timeout means stuck, and the run is
 * torn down, which terminates the worker thread.
 */
const STALL_GRACE_MS = 5000;

class Collector implements Reporter {
  private readonly tests: TestOutcome[] = [];
  private readonly errors: RunError[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private vitest: Vitest | undefined;

  constructor(private readonly stallMs: number) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.arm();
  }

  onTestCaseReady(): void {
    this.arm();
  }

  onTestCaseResult(testCase: TestCase): void {
    this.arm();
    const state = testCase.result().state;
    this.tests.push({ name: testCase.name, state: state === 'pending' ? 'skipped' : state });
  }

  onTestModuleEnd(module: TestModule): void {
    for (const error of module.errors()) this.errors.push({ name: error.name, message: error.message, stack: error.stack });
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<RunError>): void {
    clearTimeout(this.watchdog);
    for (const error of unhandled) this.errors.push({ name: error.name, message: error.message, stack: error.stack });
  }

  private arm(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.errors.push({
        message:
          `The checks stopped responding for ${Math.round(this.stallMs / 1000)} s and were stopped. Code of yours that a check runs ` +
          'is probably stuck in a loop that never gives the event loop back (a while loop waiting for data?).',
      });
      void this.vitest?.close();
    }, this.stallMs);
    this.watchdog.unref();
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
    };
  }
}

/** Runs test files in name order: `01-basics.test.ts` before `02-limits.test.ts`. */
class NameOrderSequencer {
  async sort<T extends { moduleId: string }>(files: T[]): Promise<T[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }

  async shard<T>(files: T[]): Promise<T[]> {
    return files;
  }
}

/** Vitest's own console output is replaced by our reporter's. */
function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

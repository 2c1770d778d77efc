// How a run's results reach the learner's reporters: in name order of the lesson's test files,
// whatever worker ran them, and stopping at the first failure in that order (check/session.ts
// gives every run of its Vitest instance to this relay, with that run's reporters).

import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Passes Vitest's events to the reporters of the run in progress. Test results and file ends go in
 * the run's name order of files: with two workers, a later file's results wait until every file
 * before it has ended, so the report reads as if the files ran one after another. Once a failure
 * has been passed on (and the run stops there), what later files did is dropped, as tests after
 * the failure that a one-worker run never starts. At the end of a run, every finished test whose
 * result event did not come (a run cancelled while tests ran concurrently) is reported, so that a
 * failure is never lost (and the run never taken for a pass).
 *
 * Within a file whose tests run concurrently, a failure waits until every test declared before it
 * has ended: the failure shown (and the one the run stops at) is the first in the file's order, the
 * order in which the lesson brings its ideas, not the first to happen.
 */
export class RelayReporter implements Reporter {
  private targets: Reporter[] = [];
  private readonly reported = new Set<string>();
  /** The run's test files, in name order (as Vite names them). */
  private order: string[] = [];
  /** The file being reported: results of files after it are held. */
  private current = 0;
  private readonly held = new Map<number, Array<() => Promise<void>>>();
  private readonly ended = new Set<number>();
  /** Stop at the first failure: the file it was in, once passed on. */
  private bail = true;
  private stopAt: number | undefined;
  /** Ordered events are passed on one at a time, in the order they were put in turn. */
  private chain: Promise<void> = Promise.resolve();
  /** Failures of tests that ended while tests declared before them in their file still ran. */
  private readonly waiting: TestCase[] = [];

  begin(targets: Reporter[], files: string[], bail: boolean): void {
    this.targets = targets;
    this.order = files.map((file) => file.split(path.sep).join('/'));
    this.current = 0;
    this.held.clear();
    this.ended.clear();
    this.bail = bail;
    this.stopAt = undefined;
    this.waiting.length = 0;
  }

  onTestRunStart: Reporter['onTestRunStart'] = (...args) => (this.reported.clear(), this.each((r) => r.onTestRunStart?.(...args)));
  onTestModuleQueued: Reporter['onTestModuleQueued'] = (...args) => this.each((r) => r.onTestModuleQueued?.(...args));
  onTestModuleCollected: Reporter['onTestModuleCollected'] = (...args) => this.each((r) => r.onTestModuleCollected?.(...args));
  onTestModuleStart: Reporter['onTestModuleStart'] = (...args) => this.each((r) => r.onTestModuleStart?.(...args));
  onTestCaseReady: Reporter['onTestCaseReady'] = (...args) => this.each((r) => r.onTestCaseReady?.(...args));
  onTestCaseResult = (testCase: TestCase) =>
    this.serially(async () => {
      // Once each: a cancelled run can send a test's result again.
      if (this.reported.has(testCase.id) || this.waiting.some((t) => t.id === testCase.id)) return;
      if (testCase.result().state === 'failed' && earlierStillRunning(testCase)) this.waiting.push(testCase);
      else await this.result(testCase);
      await this.releaseWaiting();
    });
  onTestModuleEnd = (module: TestModule) =>
    this.serially(async () => {
      await this.releaseWaiting(module.moduleId);
      await this.inTurn(this.indexOf(module.moduleId), async () => {
        await this.each((r) => r.onTestModuleEnd?.(module));
        this.ended.add(this.indexOf(module.moduleId));
      });
    });
  onTestRunEnd: Reporter['onTestRunEnd'] = (...args) =>
    this.serially(async () => {
      const [modules] = args;
      // Failures still waiting (a cancelled run) are reported below with every unreported result, in order.
      this.waiting.length = 0;
      for (const module of modules) {
        for (const testCase of module.children.allTests()) {
          const state = testCase.result().state;
          if (this.reported.has(testCase.id) || (state !== 'failed' && state !== 'passed')) continue;
          await this.result(testCase);
        }
      }
      // Files whose end never came (a cancelled run): what they did, in order.
      for (let index = this.current + 1; index < this.order.length; index++) await this.release(index);
      this.current = this.order.length;
      await this.each((r) => r.onTestRunEnd?.(...args));
    });

  private result(testCase: TestCase): Promise<void> {
    this.reported.add(testCase.id);
    const index = this.indexOf(testCase.module.moduleId);
    return this.inTurn(index, async () => {
      if (this.bail && this.stopAt === undefined && testCase.result().state === 'failed') this.stopAt = index;
      await this.each((r) => r.onTestCaseResult?.(testCase));
    });
  }

  /**
   * Passes on the waiting failures whose earlier tests have all ended (or every one of `ended`, a
   * file that has ended), in the order of the files and of the tests within each.
   */
  private async releaseWaiting(ended?: string): Promise<void> {
    const inOrder = [...this.waiting].sort((a, b) => this.indexOf(a.module.moduleId) - this.indexOf(b.module.moduleId) || declared(a) - declared(b));
    for (const testCase of inOrder) {
      if (testCase.module.moduleId !== ended && earlierStillRunning(testCase)) continue;
      this.waiting.splice(this.waiting.indexOf(testCase), 1);
      await this.result(testCase);
    }
  }

  private indexOf(moduleId: string): number {
    return this.order.indexOf(moduleId);
  }

  /** Passes an event of file `index` on now if it is that file's turn, or holds it until then. */
  private async inTurn(index: number, deliver: () => Promise<void>): Promise<void> {
    if (this.stopAt !== undefined && index > this.stopAt) return;
    if (index === -1 || index <= this.current) {
      await deliver();
      // That file has ended: the next files' turns, each as far as it got.
      while (this.ended.has(this.current) && this.current < this.order.length - 1) await this.release(++this.current);
      return;
    }
    const list = this.held.get(index) ?? [];
    list.push(deliver);
    this.held.set(index, list);
  }

  private async release(index: number): Promise<void> {
    const list = this.held.get(index) ?? [];
    this.held.delete(index);
    for (const deliver of list) if (this.stopAt === undefined || index <= this.stopAt) await deliver();
  }

  private serially(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step, step);
    return this.chain;
  }

  private async each(call: (reporter: Reporter) => unknown): Promise<void> {
    for (const reporter of this.targets) await call(reporter);
  }
}

/** Whether a test declared before `testCase` in its file has not ended yet. */
function earlierStillRunning(testCase: TestCase): boolean {
  for (const other of testCase.module.children.allTests()) {
    if (other.id === testCase.id) return false;
    if (other.result().state === 'pending') return true;
  }
  return false;
}

/** Where `testCase` is declared in its file (its place in the file's order of tests). */
function declared(testCase: TestCase): number {
  let index = 0;
  for (const other of testCase.module.children.allTests()) {
    if (other.id === testCase.id) return index;
    index++;
  }
  return index;
}

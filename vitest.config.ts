// `npm test`: the project's own tests. harness/test/ checks the harness and the CLI, and
// (lessons.test.ts) that every lesson's checks pass on the reference and fail on its stub and on
// each known mistake. The lessons' checks run only there, each reference once, in the matrix of
// `learn dev check` (warm Vitest instances, two runs at a time), not as test files of this run.
// On a developer's machine, files that passed whole on this very tree are not run again
// (harness/dev/test-file-cache.ts); the matrix keeps its own cache, a lesson at a time.

import path from 'node:path';
import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule, TestSpecification, Vitest } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import { TestFileCache } from './harness/dev/test-file-cache.ts';

const root = import.meta.dirname;
const isMatrix = (file: string) => file.endsWith('lessons.test.ts');

/** Opened once per run: the tree's digest is taken before the first test starts. */
const cache = TestFileCache.open(root, path.join(root, '.learn'));

/** Whether this run is the whole suite: no file filter and no test-name filter (-t). */
function wholeRun(vitest: Vitest): boolean {
  // filenamePattern is Vitest's own record of the files named on the command line.
  const named = (vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  return (named === undefined || named.length === 0) && vitest.config.testNamePattern === undefined;
}

/**
 * The lesson matrix is most of the run and mostly waits (on timeouts its mistakes must hit), so it
 * starts first and the other files run one after another beside it. Files with a cached verdict
 * for this tree are left out, and the run says how many.
 */
class MatrixFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const matrix = sorted.filter((file) => isMatrix(file.moduleId));
    let rest = sorted.filter((file) => !isMatrix(file.moduleId));
    if (cache && wholeRun(this.ctx)) {
      const fresh = rest.filter((file) => !cache.passed(file.moduleId));
      if (fresh.length < rest.length) {
        console.log(
          `Test files: ${rest.length - fresh.length} of ${rest.length} passed on this very tree before and are not run again (LEARN_MATRIX_CACHE=off runs them).`,
        );
      }
      rest = fresh;
    }
    return [...matrix, ...rest];
  }
}

/** Keeps the verdict of every file whose tests all ran and passed, when the run was the whole suite. */
class CacheVerdicts implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    // An unhandled error belongs to no file: no verdict of this run can be trusted.
    if (!cache || !this.vitest || !wholeRun(this.vitest) || unhandledErrors.length > 0) return;
    cache.record(
      modules
        .filter((module) => !isMatrix(module.moduleId))
        .map((module) => {
          const tests = [...module.children.allTests()];
          return {
            file: module.moduleId,
            passedWhole: module.state() === 'passed' && tests.length > 0 && tests.every((test) => test.result().state === 'passed'),
          };
        }),
    );
  }
}

export default defineConfig({
  test: {
    include: ['harness/test/**/*.test.ts'],
    // Made-up lessons that support scripts run in a session of their own (support/thread-reuse.ts).
    exclude: ['harness/test/support/**', '**/node_modules/**'],
    // No resident check process (harness/resident/) outlives a test that runs `learn check`;
    // harness/test/resident.test.ts asks for one and ends it.
    env: { LEARN_ROOT: 'solutions', LEARN_RESIDENT: 'off' },
    testTimeout: 30_000,
    // Two files at a time: the matrix, and the rest in turn.
    maxWorkers: 2,
    sequence: { sequencer: MatrixFirst },
    reporters: ['default', new CacheVerdicts()],
    // Tests within a file that spawn servers: on a 2-core machine two at a time is what fits.
    maxConcurrency: 2,
    hookTimeout: 30_000,
    globalSetup: ['harness/test/global-setup.ts'],
  },
});

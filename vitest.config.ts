// `npm test`: the project's own tests. harness/test/ checks the harness and the CLI, and
// (lessons.test.ts) that every lesson's checks pass on the reference and fail on its stub and on
// each known mistake. The lessons' checks run only there, each reference once, in the matrix of
// `learn dev check` (warm Vitest instances, two runs at a time), not as test files of this run.

import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The lesson matrix is most of the run and mostly waits (on timeouts its mistakes must hit), so it
 * starts first and the other files run one after another beside it.
 */
class MatrixFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const matrix = (file: TestSpecification) => file.moduleId.endsWith('lessons.test.ts');
    return [...sorted.filter(matrix), ...sorted.filter((file) => !matrix(file))];
  }
}

export default defineConfig({
  test: {
    include: ['harness/test/**/*.test.ts'],
    env: { LEARN_ROOT: 'solutions' },
    testTimeout: 30_000,
    // Two files at a time: the matrix, and the rest in turn.
    maxWorkers: 2,
    sequence: { sequencer: MatrixFirst },
    // Tests within a file that spawn servers: on a 2-core machine two at a time is what fits.
    maxConcurrency: 2,
    hookTimeout: 30_000,
    globalSetup: ['harness/test/global-setup.ts'],
  },
});

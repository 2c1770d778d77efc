// `npm test`: the project's own tests. harness/test/ checks the harness and the CLI, and
// (lessons.test.ts) that every lesson's checks pass on the reference and fail on its stub and on
// each known mistake. The lessons' checks run only there, each reference once, in the matrix of
// `learn dev check` (warm Vitest instances, two runs at a time), not as test files of this run.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['harness/test/**/*.test.ts'],
    env: { LEARN_ROOT: 'solutions' },
    testTimeout: 30_000,
    // Lesson checks spawn servers; on a 2-core machine two at a time is what fits.
    maxConcurrency: 2,
    hookTimeout: 30_000,
    globalSetup: ['harness/test/global-setup.ts'],
  },
});

// `npm test`: the project's own tests. Lesson tests run here against the reference solutions
// (they must pass); harness/test/ checks the harness, the CLI, and that every lesson's tests fail
// on its stub and on each known mistake.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['harness/test/**/*.test.ts', 'lessons/*/.check/**/*.test.ts'],
    env: { LEARN_ROOT: 'solutions' },
    testTimeout: 30_000,
    // Lesson checks spawn servers; on a 2-core machine two at a time is what fits.
    maxConcurrency: 2,
    hookTimeout: 30_000,
    globalSetup: ['harness/test/global-setup.ts'],
  },
});

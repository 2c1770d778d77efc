// A warm-up run's test file (check/thread-shelf.ts): run in a thread the next check will take, it
// imports what every lesson's checks import, so that the check finds it loaded. One file per
// thread to prepare (LEARNER_WORKERS): Vitest gives each file of a run its own worker.
import { test } from '#harness/testing/index.ts';

test('the harness is loaded', () => {});

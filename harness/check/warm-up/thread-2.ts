// The second thread's warm-up file: the same as thread-1.ts (one file per worker thread).
import { test } from '#harness/testing/index.ts';

test('the harness is loaded', () => {});

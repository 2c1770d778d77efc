// Waits a check puts around the learner's code: a promise of theirs that never settles fails the
// check instead of hanging it, and a server's open sockets are counted once its clients are gone.

import type { FailureDetails } from './failure.ts';
import { check, LessonFailure } from './failure.ts';
import type { Server } from './fixtures.ts';

/** Rejects with a LessonFailure after `ms`: a call of the learner's that never settles fails the check. */
export function within<T>(promise: Promise<T>, ms: number, what: string, hint: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LessonFailure({ message: `Expected ${what} within ${ms} ms, but it never settled.`, hint })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Fails unless the server's open TCP sockets fall to at most `atMost` (listening socket included)
 * within `settleMs` after `clients` connections were closed. Polls the program's own count, so a
 * server that closes promptly passes at once; one that keeps sockets fails with the count.
 */
export async function checkNoLeakedSockets(
  server: Server,
  clients: number,
  details: Omit<FailureDetails, 'message'> & { atMost?: number; settleMs?: number } = {},
): Promise<void> {
  const { atMost = 5, settleMs = 1000, ...teaching } = details;
  const deadline = performance.now() + settleMs;
  let stats = await server.stats();
  while (stats && (stats.resources.TCPSocketWrap ?? 0) > atMost && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    stats = await server.stats();
  }
  const open = stats?.resources.TCPSocketWrap ?? 0;
  check(stats !== undefined && open <= atMost, {
    message:
      stats === undefined
        ? 'Expected the server to report its open sockets, but it did not answer.'
        : `Expected the server to hold at most ${atMost} open sockets after ${clients} closed connections, but it holds ${open}.`,
    ...teaching,
  });
}

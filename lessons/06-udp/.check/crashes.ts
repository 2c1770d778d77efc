// Lesson-local (a candidate for the harness; lesson 5's checks carry the same helper): the client
// code under test runs inside the check's own process. An exception thrown from one of its event
// handlers (a 'message' handler that reads a header from 3 bytes, say), or an 'error' event it does not
// listen for, is thrown out of the event loop: in the learner's program that ends the program. In
// the check it would surface as an unhandled error blamed on nothing. While a test runs, such
// exceptions are captured instead, and the test fails saying what the client threw.

import path from 'node:path';
import { LessonFailure } from '#harness/testing/index.ts';

let captured: Error[] | undefined;
const waiters = new Set<(error: Error) => void>();

/** Starts capturing uncaught exceptions (once per test; see `stopCapturing`). */
export function startCapturing(): void {
  if (captured || process.hasUncaughtExceptionCaptureCallback()) return;
  captured = [];
  const list = captured;
  process.setUncaughtExceptionCaptureCallback((thrown) => {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    list.push(error);
    for (const wake of waiters) wake(error);
  });
}

/** Stops capturing; returns what was captured. */
export function stopCapturing(): Error[] {
  const list = captured ?? [];
  if (captured) process.setUncaughtExceptionCaptureCallback(null);
  captured = undefined;
  waiters.clear();
  return list;
}

/** A promise that rejects with the teaching failure as soon as the client throws (never resolves). */
export function crash(): Promise<never> {
  return new Promise((_, reject) => {
    const first = captured?.[0];
    if (first) return reject(crashFailure(first));
    waiters.add((error) => reject(crashFailure(error)));
  });
}

/** Throws the teaching failure if the client threw anything so far. */
export function checkNoCrash(): void {
  const first = captured?.[0];
  if (first) throw crashFailure(first);
}

export function crashFailure(error: Error): LessonFailure {
  const code = (error as NodeJS.ErrnoException).code;
  const unhandledEvent = code !== undefined && /^E[A-Z]+$/.test(code);
  // Where in the learner's files it was thrown, when the stack says.
  const at = error.stack?.split('\n').find((line) => /0\d-[a-z-]+[\\/][a-z-]+\.ts/.test(line));
  const where = at ? ` (${path.basename(at.trim().replace(/^at /, '').replace(/\)$/, ''))})` : '';
  return new LessonFailure({
    message: unhandledEvent
      ? `Expected your client to handle its socket's 'error' event, but an '${code}' error was thrown with no listener: "${error.message}".`
      : `Expected your client to handle every datagram, but one of its event handlers threw: ${error.name}: ${error.message}${where}.`,
    why: unhandledEvent
      ? 'An \'error\' event nobody listens for is thrown, and in a program using your client it ends the program. A connected UDP socket reports an ICMP "port unreachable" (the server is down) as ECONNREFUSED.'
      : 'An exception thrown in an event handler is not caught by anything: in a program using your client it ends the program, because of one odd datagram from the network.',
    spec: "Node docs: dgram, Event 'error' and Event 'message'; lessons/06-udp/README.md, rule 5",
    hint: unhandledEvent
      ? "Keep an 'error' listener on the socket for its whole life: note the error, and let the retries and the final rejection do the rest."
      : 'Check datagram.length >= 4 before readUInt32BE(0), and drop what you cannot use.',
  });
}

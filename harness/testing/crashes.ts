// Client code under test (lessons 5 and 6: the learner's client, imported into the check) runs
// inside the check's own process. An exception thrown from one of its event handlers (a 'data'
// handler that reads a field of null, say), or an 'error' event it does not listen for, is thrown
// out of the event loop: in the learner's program that ends the program. In the check it would
// surface as an unhandled error blamed on nothing. While a test runs, such exceptions are captured
// instead, and the test fails saying what the client threw. Each lesson says what its client
// handles (`clientCrashes(teaching)`), the capture is the same.

import path from 'node:path';
import { LessonFailure } from './failure.ts';

/** What a lesson's client must handle, and why, for each way it can crash. */
export interface CrashTeaching {
  /** Ends "Expected your client to …": `handle what the server sent`, `handle every datagram`. */
  handles: string;
  /** An 'error' event with no listener. */
  errorEvent: { why: string; spec: string; hint: string };
  /** An exception thrown from an event handler. */
  handler: { why: string; spec?: string; hint: string };
}

export interface ClientCrashes {
  /** Starts capturing uncaught exceptions (once per test; see `stopCapturing`). */
  startCapturing(): void;
  /** Stops capturing; returns what was captured. */
  stopCapturing(): Error[];
  /** A promise that rejects with the teaching failure as soon as the client throws (never resolves). */
  crash(): Promise<never>;
  /** Throws the teaching failure if the client threw anything so far. */
  checkNoCrash(): void;
  crashFailure(error: Error): LessonFailure;
}

export function clientCrashes(teaching: CrashTeaching): ClientCrashes {
  let captured: Error[] | undefined;
  const waiters = new Set<(error: Error) => void>();
  const crashFailure = (error: Error) => failureOf(error, teaching);
  return {
    startCapturing() {
      if (captured || process.hasUncaughtExceptionCaptureCallback()) return;
      captured = [];
      const list = captured;
      process.setUncaughtExceptionCaptureCallback((thrown) => {
        const error = thrown instanceof Error ? thrown : new Error(String(thrown));
        list.push(error);
        for (const wake of waiters) wake(error);
      });
    },
    stopCapturing() {
      const list = captured ?? [];
      if (captured) process.setUncaughtExceptionCaptureCallback(null);
      captured = undefined;
      waiters.clear();
      return list;
    },
    crash() {
      return new Promise((_, reject) => {
        const first = captured?.[0];
        if (first) return reject(crashFailure(first));
        waiters.add((error) => reject(crashFailure(error)));
      });
    },
    checkNoCrash() {
      const first = captured?.[0];
      if (first) throw crashFailure(first);
    },
    crashFailure,
  };
}

function failureOf(error: Error, teaching: CrashTeaching): LessonFailure {
  const code = (error as NodeJS.ErrnoException).code;
  const unhandledEvent = code !== undefined && /^E[A-Z]+$/.test(code);
  // Where in the learner's files it was thrown, when the stack says.
  const at = error.stack?.split('\n').find((line) => /0\d-[a-z-]+[\\/][a-z-]+\.ts/.test(line));
  const where = at ? ` (${path.basename(at.trim().replace(/^at /, '').replace(/\)$/, ''))})` : '';
  const { why, spec, hint } = unhandledEvent ? teaching.errorEvent : teaching.handler;
  return new LessonFailure({
    message: unhandledEvent
      ? `Expected your client to handle its socket's 'error' event, but an '${code}' error was thrown with no listener: "${error.message}".`
      : `Expected your client to ${teaching.handles}, but one of its event handlers threw: ${error.name}: ${error.message}${where}.`,
    why,
    spec: spec ?? teaching.errorEvent.spec,
    hint,
  });
}

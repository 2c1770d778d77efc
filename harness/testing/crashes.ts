// Client code under test (lessons 5 and 6: the learner's client, imported into the check) runs
// inside the check's own process. An exception thrown from one of its event handlers (a 'data'
// handler that reads a field of null, say), or an 'error' event it does not listen for, is thrown
// out of the event loop: in the learner's program that ends the program. In the check it would
// surface as an unhandled error blamed on nothing. While a test runs, such exceptions are captured
// instead, and the test fails saying what the client threw. Each lesson says what its client
// handles (`clientCrashes(teaching)`), the capture is the same.
// Tests that run concurrently each capture within their own scope (`within`): the client's sockets
// and timers belong to the test that created them (AsyncLocalStorage follows them), so what a
// client throws fails the test whose client threw it, not a test that happened to run beside it.

import { AsyncLocalStorage } from 'node:async_hooks';
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
  /**
   * Runs one test's `body` with a capture of its own, for tests that run concurrently: fails with
   * the teaching failure if the client `body` started threw and nothing in `body` noticed.
   */
  within<T>(body: () => Promise<T>): Promise<T>;
  /** A promise that rejects with the teaching failure as soon as the client throws (never resolves). */
  crash(): Promise<never>;
  /** Throws the teaching failure if the client threw anything so far. */
  checkNoCrash(): void;
  crashFailure(error: Error): LessonFailure;
}

/** What one test (or the one test running, with start/stopCapturing) captured. */
interface Capture {
  thrown: Error[];
  waiters: Set<(error: Error) => void>;
}

export function clientCrashes(teaching: CrashTeaching): ClientCrashes {
  const scopes = new AsyncLocalStorage<Capture>();
  const active = new Set<Capture>();
  let unscoped: Capture | undefined;
  let installed = false;
  const crashFailure = (error: Error) => failureOf(error, teaching);
  const capture = (thrown: unknown) => {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    // The scope of the code that threw; one that has ended, or none, cannot be told apart: every
    // test capturing then hears of it (as with one test at a time).
    const own = scopes.getStore();
    for (const scope of own && active.has(own) ? [own] : active) {
      scope.thrown.push(error);
      for (const wake of scope.waiters) wake(error);
    }
  };
  const open = (): Capture | undefined => {
    if (!installed) {
      // Somebody else captures already (the test runner): leave theirs alone.
      if (process.hasUncaughtExceptionCaptureCallback()) return undefined;
      process.setUncaughtExceptionCaptureCallback(capture);
      installed = true;
    }
    const scope: Capture = { thrown: [], waiters: new Set() };
    active.add(scope);
    return scope;
  };
  const close = (scope: Capture): Error[] => {
    active.delete(scope);
    scope.waiters.clear();
    if (installed && active.size === 0) {
      process.setUncaughtExceptionCaptureCallback(null);
      installed = false;
    }
    return scope.thrown;
  };
  const current = () => scopes.getStore() ?? unscoped;
  return {
    startCapturing() {
      if (!unscoped) unscoped = open();
    },
    stopCapturing() {
      const scope = unscoped;
      unscoped = undefined;
      return scope ? close(scope) : [];
    },
    async within(body) {
      const scope = open();
      if (!scope) return body();
      try {
        const value = await scopes.run(scope, body);
        // A crash no wait noticed (the test passed anyway) still fails the test.
        if (scope.thrown[0]) throw crashFailure(scope.thrown[0]);
        return value;
      } finally {
        close(scope);
      }
    },
    crash() {
      return new Promise((_, reject) => {
        const scope = current();
        const first = scope?.thrown[0];
        if (first) return reject(crashFailure(first));
        scope?.waiters.add((error) => reject(crashFailure(error)));
      });
    },
    checkNoCrash() {
      const first = current()?.thrown[0];
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

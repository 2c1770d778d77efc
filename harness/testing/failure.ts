// The one error a lesson test throws when the learner's program misbehaves. It carries, as plain
// data, everything the learner reporter needs to teach: what was expected and why, where that is
// written down, and what to try next. The wire transcript is attached separately (see fixtures.ts).
// Failures on the wire arrive as WireErrors and are turned into LessonFailures by explain.ts.

import { compareBytes, toBuffer, type Bytes, type Comparison } from '../wire/bytes.ts';

export interface FailureDetails {
  /** One fact: `Expected "Bye.\n", received "bye\n"`. Shown first, in bold. */
  message: string;
  /** Why the expectation holds, in a sentence or two. */
  why?: string;
  /** Where it is written down: `RFC 9112 §6.3`, `Node.js docs: net.Socket 'end' event`. */
  spec?: string;
  /** The next thing to try. */
  hint?: string;
  /** Expected and received bytes, for the side-by-side view with a caret. */
  expected?: Bytes;
  received?: Bytes;
}

/** The serialisable part, as the reporter receives it on `error.learn`. */
export interface FailureData {
  why?: string;
  spec?: string;
  hint?: string;
  /** Expected and received bytes around the first difference; the reporter lays them out. */
  comparison?: Comparison;
  /** The message already starts with the program's exit, so the reporter need not say it again. */
  exited?: boolean;
}

export interface FailureOptions {
  /** A comparison already made (a WireError's); `expected`/`received` make one otherwise. */
  comparison?: Comparison;
  exited?: boolean;
  /** What the failure was made from (a WireError), for code that wants its data. */
  cause?: unknown;
}

export class LessonFailure extends Error {
  override name = 'LessonFailure';
  readonly learn: FailureData;

  constructor(details: FailureDetails, options: FailureOptions = {}) {
    super(details.message, options.cause === undefined ? undefined : { cause: options.cause });
    const comparison =
      options.comparison ??
      (details.expected !== undefined && details.received !== undefined ? compareBytes(toBuffer(details.expected), toBuffer(details.received)) : undefined);
    this.learn = { why: details.why, spec: details.spec, hint: details.hint, comparison, exited: options.exited };
  }
}

/** Throws a LessonFailure unless `condition` holds. */
export function check(condition: unknown, details: FailureDetails): asserts condition {
  if (!condition) throw new LessonFailure(details);
}

// The one error a lesson test throws when the learner's program misbehaves. It carries, as plain
// data, everything the learner reporter needs to teach: what was expected and why, where that is
// written down, and what to try next. The wire transcript is attached separately (see fixtures.ts).

import { compareBytes, toBuffer, type Bytes } from '../wire/bytes.ts';

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
  comparison?: string[];
}

export class LessonFailure extends Error {
  override name = 'LessonFailure';
  readonly learn: FailureData;

  constructor(details: FailureDetails) {
    super(details.message);
    const comparison =
      details.expected !== undefined && details.received !== undefined
        ? compareBytes(toBuffer(details.expected), toBuffer(details.received)).lines
        : undefined;
    this.learn = { why: details.why, spec: details.spec, hint: details.hint, comparison };
  }
}

/** Throws a LessonFailure unless `condition` holds. */
export function check(condition: unknown, details: FailureDetails): asserts condition {
  if (!condition) throw new LessonFailure(details);
}

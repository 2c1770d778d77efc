// How a wait on the wire ended badly, as data. The wire layer (wire/) throws a WireError whose
// message states the fact ("Expected "hi\n" within 2 s, received nothing."), and whose fields say
// the same as data: which kind of end, what was awaited, how long, how many bytes came, and
// whether the program behind the connection had exited. It holds no advice: the checks' layer
// (testing/explain.ts) turns it into a LessonFailure that says why and what to try. Code that
// wants to say it differently reads the fields, never the message.

import type { Comparison } from './bytes.ts';

export type WireErrorKind =
  | 'timeout' // the wait's bound passed before what it waited for came
  | 'closed' // the peer closed the connection (FIN) first
  | 'reset' // the connection was reset (RST)
  | 'refused' // the connection could not be opened (ECONNREFUSED: nothing listens there)
  | 'limit' // more bytes came than the wait allows, without what it waited for
  | 'exited' // the program behind the connection exited (whatever the socket saw)
  | 'mismatch' // something came, but not what was expected
  | 'malformed'; // bytes came that break the protocol's grammar

/** Why, where it is written, what to try: passed on untouched from whoever attached it. */
export interface Teaching {
  why?: string;
  spec?: string;
  hint?: string;
}

/** How the program behind a connection ended, as far as its exit and its stderr tell. */
export interface PeerExit {
  /** `exited with code 1`, `was killed by SIGSEGV`. */
  description: string;
  code: number | null;
  signal: string | null;
  /** The first line of the exception that ended it, from its stderr: `Error: write ECONNRESET`. */
  exception?: string;
  /** The exception was an 'error' event no listener handled (Node throws those). */
  unhandledErrorEvent?: boolean;
  /** The error's code, when it had one: `ECONNRESET`, `EPIPE`, `EADDRINUSE`. */
  errorCode?: string;
  /** The first stack frame in the program's own files: `lessons/01-tcp-echo/server.ts:26`. */
  where?: string;
  /** Its entry file, relative to the repository, and its arguments: how to run it by hand. */
  entry?: string;
  args?: string[];
}

export interface WireErrorData {
  kind: WireErrorKind;
  /** The fact, in one sentence or two, without the program's exit (the message adds that first). */
  fact: string;
  /** The client or socket that waited: `c1`, `u1`, `server`. */
  who?: string;
  /** What the program is called in messages: `your server`. */
  peer?: string;
  /** What was awaited: `bytes up to "\n"`, `a connection to 127.0.0.1:40123`. */
  waitingFor?: string;
  /** How long the wait lasted, and its bound, in ms. */
  waitedMs?: number;
  timeoutMs?: number;
  /** The bound on bytes, for kind 'limit'. */
  limit?: number;
  /** How the connection stood when the wait ended (`closed`: this side closed it). */
  connection?: 'open' | 'fin' | 'rst' | 'closed' | 'refused';
  /** The socket error's code: `ECONNREFUSED`, `ECONNRESET`. */
  code?: string;
  /** Bytes received on the connection in all, and those received but not yet read. */
  bytesReceived?: number;
  bytesUnread?: number;
  /** Set when the program had exited by the time the wait ended. */
  exit?: PeerExit;
  /** The share of the wait the program spent running or ready to run (timeouts, where known): near 1 in a busy loop. */
  busyShare?: number;
  /** For a mismatch (or a read that fell short of expected bytes): the bytes around the first difference. */
  comparison?: Comparison;
  teaching?: Teaching;
}

export class WireError extends Error implements WireErrorData {
  override name = 'WireError';
  readonly kind: WireErrorKind;
  readonly fact: string;
  // The rest are set from the data as given (declare: no field of its own unless given).
  declare readonly who?: string;
  declare readonly peer?: string;
  declare readonly waitingFor?: string;
  declare readonly waitedMs?: number;
  declare readonly timeoutMs?: number;
  declare readonly limit?: number;
  declare readonly connection?: 'open' | 'fin' | 'rst' | 'closed' | 'refused';
  declare readonly code?: string;
  declare readonly bytesReceived?: number;
  declare readonly bytesUnread?: number;
  declare readonly exit?: PeerExit;
  declare readonly busyShare?: number;
  declare readonly comparison?: Comparison;
  declare readonly teaching?: Teaching;

  constructor(data: WireErrorData) {
    // A program that exited explains everything after it, so it is said first.
    super(data.exit ? `${capitalise(data.peer ?? 'the program')} ${data.exit.description}. ${data.fact}` : data.fact);
    Object.assign(this, data);
    this.kind = data.exit ? 'exited' : data.kind;
    this.fact = data.fact;
  }

  /** The same error with some fields changed (a reader that knows more re-words the fact). */
  with(changes: Partial<WireErrorData>): WireError {
    return new WireError({ ...this.data(), ...changes });
  }

  /** The fields, as plain data. */
  data(): WireErrorData {
    const { name: _name, message: _message, stack: _stack, ...fields } = this as WireError & { stack?: string };
    return { ...fields };
  }
}

/**
 * The WireError behind an error: the error itself, or the one it was made from (a LessonFailure
 * keeps it as its `cause`). Undefined for anything else.
 */
export function wireErrorOf(error: unknown): WireError | undefined {
  if (error instanceof WireError) return error;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause instanceof WireError ? cause : undefined;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

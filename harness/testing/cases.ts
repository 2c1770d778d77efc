// Case tables for request/response protocols. A case is data: what to send, how to cut it, what
// must come back, and why. `httpCases(test, cases)` makes each case its own test (`test.for`), so
// the learner's report names the exact case that failed and shows the ones before it as passed.
//
//   httpCases(test, [
//     { name: 'answers a folded field value with 400',
//       send: 'GET / HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n  b\r\n\r\n',
//       expect: { status: 400, close: true },
//       why: 'Line folding is obsolete; …', spec: 'RFC 9112 §5.2', hint: 'A field line that starts …' },
//   ]);
//
// A case with several `exchanges` runs them on one connection, in turn (send, read, check, next)
// or pipelined (everything sent first, then the responses read in order).

import { byteCount, quote, toBuffer, type Bytes } from '../wire/bytes.ts';
import type { RawClient } from '../wire/client.ts';
import { readResponse, request, type HttpResponse, type RequestSpec } from '../wire/http.ts';
import type { Split } from '../wire/segmentation.ts';
import { check, type FailureDetails } from './failure.ts';
import type { Server } from './fixtures.ts';
import { checkHeader, checkNoHeader, checkStatus, expectClosedAfter, expectStillOpen } from './http.ts';

/** The teaching a failure carries: why the rule holds, where it is written, what to try. */
export interface Teaching {
  why?: string;
  spec?: string;
  hint?: string;
}

/** What one response must be. Anything left out is not checked. */
export interface Expect extends Teaching {
  status: number;
  /**
   * Header fields: a string compares exactly, a RegExp must match the value (repeated lines joined
   * with ", "), `null` means the field must be absent. Names are case-insensitive.
   */
  fields?: Record<string, string | RegExp | null>;
  /** The body: exact bytes, or a RegExp its latin1 text must match. */
  body?: Bytes | RegExp;
  /** true: the server closes right after this response; false: it keeps the connection open. */
  close?: boolean;
  /** Anything a table cannot say; throw a LessonFailure (`check`) when the response is wrong. */
  check?: (response: HttpResponse, label: string) => void | Promise<void>;
}

/** One request and what its response must be. */
export interface Exchange {
  /** Raw bytes sent as they are, or a request built by `request()` (Host and Content-Length added). */
  send: Bytes | RequestSpec;
  expect: Expect;
  /** How the request is named in messages (default: its request line). */
  what?: string;
}

interface CaseBase extends Teaching {
  /** The test's name, as the learner reads it: "answers a folded field value with 400". */
  name: string;
  /** How the outgoing bytes are cut into writes (default: one write). */
  split?: Split;
  /** Bound on each read, in ms (default: the client's, 2 s). */
  timeoutMs?: number;
}

/** A case: one exchange (`send` + `expect`) or several on one connection (`exchanges`). */
export type HttpCase = CaseBase &
  (
    | { send: Exchange['send']; expect: Expect; what?: string; exchanges?: never; pipelined?: never }
    | { exchanges: Exchange[]; pipelined?: boolean; send?: never; expect?: never }
  );

/** The `test` of a server lesson (what `serverTest` returns). */
interface ServerTestApi {
  for<T>(cases: readonly T[]): (name: string, fn: (item: T, context: { server: Server }) => Promise<void>) => void;
  concurrent: Pick<ServerTestApi, 'for'>;
}

export interface CaseOptions {
  /**
   * Run the cases at once, each on its own connection to the one program (they are started in
   * table order). For tables whose cases wait (a connection that must stay open, a close), where
   * the program keeps no state between connections.
   */
  concurrent?: boolean;
}

/** Registers each case as its own test, in table order. */
export function httpCases(test: ServerTestApi, cases: readonly HttpCase[], options: CaseOptions = {}): void {
  const register = options.concurrent ? test.concurrent : test;
  // Rows as [name, case]: `%s` prints the name whole ("$name" would quote and truncate it).
  register.for(cases.map((item) => [item.name, item] as const))('%s', async ([, item], { server }) => {
    const client = await server.connect();
    await runCase(client, item);
  });
}

/** Runs one case on an open connection: sends, reads every response, checks each. */
export async function runCase(client: RawClient, item: HttpCase): Promise<HttpResponse[]> {
  const exchanges: Exchange[] = item.exchanges ?? [{ send: item.send, expect: item.expect, what: item.what }];
  const several = exchanges.length > 1;
  const bytes = exchanges.map((exchange) => requestBytes(exchange.send));
  const labels = exchanges.map((exchange, i) => {
    const what = exchange.what ?? requestLine(bytes[i]!);
    return several ? `the response to ${item.pipelined ? 'pipelined ' : ''}request ${i + 1} of ${exchanges.length} (${what})` : `the response to ${what}`;
  });
  if (item.pipelined) await client.send(bytes, { split: item.split });
  const responses: HttpResponse[] = [];
  for (const [i, exchange] of exchanges.entries()) {
    if (!item.pipelined) await client.send(bytes[i]!, { split: item.split });
    const teaching = { ...pick(item), ...pick(exchange.expect) };
    const response = await readResponse(client, { method: methodOf(bytes[i]!), what: labels[i], timeoutMs: item.timeoutMs, ...teaching });
    await checkResponse(client, response, exchange.expect, labels[i]!, teaching);
    responses.push(response);
  }
  return responses;
}

/** Checks a response against an expectation, in the order a learner fixes things: status, fields, body, close. */
export async function checkResponse(
  client: RawClient,
  response: HttpResponse,
  expect: Expect,
  label: string,
  teaching: Teaching = pick(expect),
): Promise<void> {
  checkStatus(response, expect.status, { ...teaching, why: [`This is ${label}.`, teaching.why].filter(Boolean).join(' ') });
  for (const [name, value] of Object.entries(expect.fields ?? {})) {
    if (value === null) checkNoHeader(response, name, teaching);
    else checkHeader(response, name, value, teaching);
  }
  if (expect.body !== undefined) checkBody(response, expect.body, label, teaching);
  if (expect.check) await expect.check(response, label);
  if (expect.close === true) await expectClosedAfter(client, label, teaching);
  if (expect.close === false) await expectStillOpen(client, label, 100, teaching);
}

function checkBody(response: HttpResponse, body: Bytes | RegExp, label: string, teaching: Teaching): void {
  if (body instanceof RegExp) {
    check(body.test(response.body.toString('latin1')), {
      message: `Expected ${label} to have a body matching ${body}, received ${response.summary()}.`,
      ...teaching,
    });
    return;
  }
  const want = toBuffer(body);
  const details: FailureDetails = {
    message: `Expected ${label} to have the body ${want.length <= 60 ? quote(want) : `of ${byteCount(want.length)} the request calls for`}, received ${response.summary()}.`,
    expected: want,
    received: response.body,
    ...teaching,
  };
  check(response.body.equals(want), details);
}

function requestBytes(send: Exchange['send']): Buffer {
  return typeof send === 'string' || send instanceof Uint8Array ? toBuffer(send) : request(send);
}

/** `GET /x HTTP/1.1`, for naming a request in messages. */
function requestLine(bytes: Buffer): string {
  const end = bytes.indexOf('\r\n');
  const line = bytes.subarray(0, end < 0 ? Math.min(bytes.length, 60) : Math.min(end, 60)).toString('latin1');
  return /^[\x20-\x7e]*$/.test(line) ? line : quote(line);
}

/** The method, so that a response to HEAD is read without a body. */
function methodOf(bytes: Buffer): string {
  return /^[^ \r\n]+/.exec(bytes.subarray(0, 32).toString('latin1'))?.[0] ?? 'GET';
}

function pick(from: Teaching): Teaching {
  const out: Teaching = {};
  if (from.why !== undefined) out.why = from.why;
  if (from.spec !== undefined) out.spec = from.spec;
  if (from.hint !== undefined) out.hint = from.hint;
  return out;
}

// Checks about HTTP exchanges for the hidden tests: send a request and read its response, then
// assert on the status, a header field or the close, with failures that say what was expected,
// what came, and why. The bytes themselves are in the transcript, as for any RawClient.

import type { Bytes } from '../wire/bytes.ts';
import { describe, type RawClient, type SendOptions } from '../wire/client.ts';
import { readResponse, type HttpResponse, type ReadResponseOptions } from '../wire/http.ts';
import { check, type FailureDetails } from './failure.ts';

type Details = Omit<FailureDetails, 'message' | 'expected' | 'received'>;

/** Reason phrases of RFC 9110 §15, for messages (and for checks that want the exact status line). */
export const REASON_PHRASES: Record<number, string> = {
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  411: 'Length Required',
  413: 'Content Too Large',
  414: 'URI Too Long',
  416: 'Range Not Satisfiable',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

/** Sends `request` (cut as `split` says) and reads one response. */
export async function exchange(
  client: RawClient,
  request: Bytes | readonly Bytes[],
  options: ReadResponseOptions & Pick<SendOptions, 'split'> = {},
): Promise<HttpResponse> {
  await client.send(request, { split: options.split });
  return readResponse(client, options);
}

/** Fails unless the response has this status code. */
export function checkStatus(response: HttpResponse, status: number, details: Details = {}): void {
  check(response.status === status, {
    message: `Expected status ${status} ${REASON_PHRASES[status] ?? ''}`.trimEnd() + `, received ${response.summary()}.`,
    ...details,
  });
}

/** Fails unless the field is present with this value (a string compares exactly, a RegExp must match). */
export function checkHeader(response: HttpResponse, name: string, expected: string | RegExp, details: Details = {}): void {
  const value = response.header(name);
  const ok = value !== undefined && (typeof expected === 'string' ? value === expected : expected.test(value));
  const want = typeof expected === 'string' ? `"${name}: ${expected}"` : `a ${name} field matching ${expected}`;
  check(ok, {
    message: `Expected ${want} in ${response.statusLine}, received ${value === undefined ? `no ${name} field` : `"${name}: ${value}"`}.`,
    ...details,
  });
}

/** Fails if the field is present. */
export function checkNoHeader(response: HttpResponse, name: string, details: Details = {}): void {
  const value = response.header(name);
  check(value === undefined, { message: `Expected no ${name} field in ${response.statusLine}, received "${name}: ${value}".`, ...details });
}

/**
 * Waits for the program to close the connection, and fails if anything but the close came after
 * what was already read (`after`: "the 400 response").
 */
export async function expectClosedAfter(client: RawClient, after: string, details: Details & { timeoutMs?: number } = {}): Promise<void> {
  await client.expectClose({ ...details });
  const extra = await client.readFor(0);
  check(extra.length === 0, {
    message: `Expected the connection to close right after ${after}, received ${describe(extra)} first.`,
    ...details,
  });
}

/** Fails if the program closes the connection or sends anything within `ms`: it must wait for more. */
export async function expectStillOpen(client: RawClient, after: string, ms = 150, details: Details = {}): Promise<void> {
  const extra = await client.readFor(ms);
  check(client.state === 'open', {
    message: `Expected the connection to stay open after ${after}, but it was ${client.state === 'fin' ? 'closed (FIN)' : 'reset (RST)'}${extra.length > 0 ? ` after ${describe(extra)}` : ''}.`,
    ...details,
  });
  check(extra.length === 0, { message: `Expected nothing more after ${after}, received ${describe(extra)}.`, ...details });
}

/**
 * Records the size of each read on the client's socket from now on: how the program's bytes were
 * cut when they arrived. (A head written in one write arrives in one read on loopback.)
 */
export function recordReads(client: RawClient): number[] {
  const sizes: number[] = [];
  client.socket.on('data', (chunk: Buffer) => sizes.push(chunk.length));
  return sizes;
}

// Helpers shared by the json-protocol server checks: sending requests as lines, and reading the
// server's lines as JSON, sorting responses (they carry an id) from pushes (they don't).

import { isDeepStrictEqual } from 'node:util';
import { check, LessonFailure, quote, type RawClient, type Server } from '#harness/testing/index.ts';

export const PROTOCOL = 'lessons/05-json-protocol/README.md, "The protocol"';
const MAX_LINE = 128 * 1024;

export type Message = Record<string, unknown>;

/** Sends each request as one JSON line (coalesced into one write when several). */
export async function send(client: RawClient, requests: object | object[], split?: Parameters<RawClient['send']>[1]): Promise<void> {
  const list = Array.isArray(requests) ? requests : [requests];
  await client.send(
    list.map((r) => `${JSON.stringify(r)}\n`),
    split,
  );
}

/** Reads one line from the server and parses it as a JSON object. */
export async function readMessage(client: RawClient, why?: string): Promise<Message> {
  const line = await client.readUntil('\n', {
    max: MAX_LINE,
    why: why ?? 'The server answers every request with one line of JSON.',
    spec: PROTOCOL,
    hint: 'Write JSON.stringify(response) followed by "\\n" for every request you read.',
  });
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    throw new LessonFailure({
      message: `Expected a line of JSON, received ${quote(line.subarray(0, 120))}.`,
      why: 'Every line the server sends is one JSON value: the client splits at "\\n" and parses each line on its own.',
      spec: PROTOCOL,
      hint: 'Send JSON.stringify(value) + "\\n", once per message, and nothing else.',
    });
  }
  check(typeof value === 'object' && value !== null && !Array.isArray(value), {
    message: `Expected a JSON object, received ${quote(line.subarray(0, 120))}.`,
    spec: PROTOCOL,
  });
  return value as Message;
}

/**
 * Reads lines until the response with `id` comes. Pushes (no "id") and responses to other
 * requests met on the way are returned alongside, in order.
 */
export async function responseTo(client: RawClient, id: unknown, why?: string): Promise<{ response: Message; others: Message[] }> {
  const others: Message[] = [];
  for (;;) {
    const message = await readMessage(client, why ?? `The server answers the request with id ${JSON.stringify(id)}.`);
    if ('id' in message && isDeepStrictEqual(message.id, id)) return { response: message, others };
    others.push(message);
    check(others.length < 1000, { message: `Expected a response with id ${JSON.stringify(id)}, received 1000 other lines first.` });
  }
}

/** Sends one request and waits for its response; fails unless it is `ok: true`. Returns its data. */
export async function ask(client: RawClient, request: { id: unknown; type: string; data?: unknown }, hint?: string): Promise<unknown> {
  await send(client, request);
  const { response } = await responseTo(client, request.id);
  expectOk(response, request, hint);
  return response.data;
}

/** Fails unless `response` is a success. */
export function expectOk(response: Message, request: { type: string; data?: unknown }, hint?: string): void {
  check(response.ok === true, {
    message: `Expected ${describeRequest(request)} to succeed ("ok": true), received ${JSON.stringify(response)}.`,
    why: 'A successful response is {"id": …, "ok": true, "data": …}.',
    spec: PROTOCOL,
    hint: hint ?? 'Look at the "error" in the response: the server refused the request.',
  });
}

/** Fails unless `response` is an error response: "ok": false with a non-empty "error" string. */
export function expectError(response: Message, what: string, hint: string): void {
  check(response.ok === false && typeof response.error === 'string' && response.error.length > 0, {
    message: `Expected an error response ("ok": false, "error": "…") for ${what}, received ${JSON.stringify(response)}.`,
    why: 'A request the server cannot carry out still gets a response, so the client is never left waiting.',
    spec: PROTOCOL,
    hint,
  });
}

export function describeRequest(request: { type: string; data?: unknown }): string {
  return request.data === undefined ? request.type : `${request.type} ${JSON.stringify(request.data)}`;
}

/** Connects and registers `name`. */
export async function register(server: Server, name: string): Promise<RawClient> {
  const client = await server.connect(name);
  await ask(client, { id: `reg-${name}`, type: 'REGISTER', data: name }, 'REGISTER with a name nobody uses must succeed.');
  return client;
}

/** ISO 8601 with a time zone, as Date.prototype.toISOString() writes it, and close to now. */
export function isRecentTimestamp(value: unknown, since: number): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) return false;
  const at = Date.parse(value);
  return at >= since - 5000 && at <= Date.now() + 5000;
}

/**
 * The server has sent its last line to `client` and closes. The client goes on sending for a while,
 * as one that has not read the error yet would; the connection must still end with FIN, never
 * RST. (The same check as lessons 3 and 4 make; a candidate for the harness.)
 */
export async function expectGracefulClose(client: RawClient, what: string): Promise<void> {
  await client.expectClose({ timeoutMs: 2000, hint: `After ${what}, end() the connection.` });
  for (const late of ['{"id":"late","type":"TIME"}\n', '{"id":"later","type":"TIME"}\n']) {
    if (client.socket.writable) await client.send(late).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  check(client.state !== 'rst', {
    message: `Expected the server to close with FIN after ${what}, but it reset the connection (RST).`,
    why: 'Bytes that arrive at a socket already closed, or are still unread when it closes, make the OS answer with RST instead of FIN, and a reset can wipe out the error before the client reads it.',
    spec: 'RFC 1122 §4.2.2.13 (closing with data pending); lesson 3 (line-protocol), "Closing gracefully"',
    hint: "socket.end() after the error, not destroy(), and keep dropping what the client sends until it closes (the 'data' handler returns early once the socket is no longer writable).",
  });
}

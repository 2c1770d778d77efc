// Hidden tests for lesson 5, json-protocol, part 2: the client module (client.ts), driven against
// a scripted server in the check that answers out of order, cuts and glues its lines, pushes in
// between, goes silent, or hangs up.

import { isDeepStrictEqual } from 'node:util';
import { scriptedTest as test, importLessonModule, check, LessonFailure, quote, type RawClient } from '#harness/testing/index.ts';

interface Response {
  id: number | string | null;
  ok: boolean;
  data?: unknown;
  error?: string;
}
interface Push {
  type: string;
  data?: unknown;
}
interface ClientLike {
  request(type: string, data?: unknown): Promise<Response>;
  close(): void;
}
type Lesson = { connect(options: { port: number; host?: string; timeoutMs?: number; onPush?: (push: Push) => void }): Promise<ClientLike> };

const load = () => importLessonModule<Lesson>('json-protocol', 'client.ts', ['connect']);
const PROTOCOL = 'lessons/05-json-protocol/README.md, "The protocol" and "The client"';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outcome<T> = { state: 'resolved'; value: T } | { state: 'rejected'; error: Error } | { state: 'pending' };

/** How `promise` settles within `ms` (or that it is still pending then). */
async function settle<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  return Promise.race([
    promise.then((value) => ({ state: 'resolved' as const, value }), (error: Error) => ({ state: 'rejected' as const, error })),
    sleep(ms).then(() => ({ state: 'pending' as const })),
  ]);
}

/** Waits for `promise` to resolve; fails with `what` and `hint` if it rejects or hangs. */
async function resolved<T>(promise: Promise<T>, what: string, hint: string, ms = 2000): Promise<T> {
  const outcome = await settle(promise, ms);
  if (outcome.state === 'resolved') return outcome.value;
  throw new LessonFailure({
    message: outcome.state === 'pending' ? `Expected ${what} within ${ms / 1000} s, but it was still waiting.` : `Expected ${what}, but it rejected: ${outcome.error?.message}`,
    spec: PROTOCOL,
    hint,
  });
}

/** Reads one request line your client wrote, parsed. */
async function readRequest(server: RawClient): Promise<{ id: unknown; type: unknown; data?: unknown }> {
  const line = await server.readUntil('\n', {
    max: 64 * 1024,
    why: 'request() writes the request as one line of JSON: {"id": …, "type": …, "data": …} and "\\n".',
    spec: PROTOCOL,
    hint: 'socket.write(JSON.stringify({ id, type, data }) + "\\n").',
  });
  try {
    const value: unknown = JSON.parse(line.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as { id: unknown; type: unknown };
  } catch {
    // reported below
  }
  throw new LessonFailure({ message: `Expected a request as one line of JSON (an object), received ${quote(line.subarray(0, 120))}.`, spec: PROTOCOL });
}

const line = (value: object) => `${JSON.stringify(value)}\n`;

async function start(scripted: () => Promise<import('#harness/testing/index.ts').ScriptedServer>, options: { timeoutMs?: number; onPush?: (push: Push) => void } = {}) {
  const { connect } = await load();
  const server = await scripted();
  const connected = await resolved(connect({ port: server.port, ...options }), 'connect() to resolve once connected', 'Resolve in the socket\'s \'connect\' event.');
  const peer = await server.accept();
  // Every request promise gets a handler at once: one that rejects before the check awaits it is
  // an outcome to check, not an unhandled rejection.
  const client: ClientLike = {
    request: (type, data) => {
      const promise = connected.request(type, data);
      promise.catch(() => undefined);
      return promise;
    },
    close: () => connected.close(),
  };
  return { client, peer };
}

test('request() sends one JSON line with an id, the type and the data, and resolves with the response', async ({ scripted }) => {
  const { client, peer } = await start(scripted);
  const waiting = client.request('ECHO', { hello: 'world' });
  const early = await settle(waiting, 20);
  check(early.state === 'pending', {
    message: `Expected request() to wait for the server's response, but it ${early.state === 'rejected' ? `rejected at once: ${early.error.message}` : 'resolved before the server answered'}.`,
    spec: PROTOCOL,
    hint: 'Return a Promise that the response with this request\'s id resolves (see the TODO in request()).',
  });
  const request = await readRequest(peer);
  check(request.type === 'ECHO' && isDeepStrictEqual(request.data, { hello: 'world' }) && (typeof request.id === 'number' || typeof request.id === 'string'), {
    message: `Expected {"id": <a number or string>, "type":"ECHO", "data":{"hello":"world"}}, received ${JSON.stringify(request)}.`,
    why: 'Every request carries an id chosen by the client, so that the response can say which request it answers.',
    spec: PROTOCOL,
    hint: 'Give each request the next number from a counter: { id: this.nextId++, type, data }.',
  });
  const response = { id: request.id, ok: true, data: { hello: 'world' } };
  await peer.send(line(response));
  const got = await resolved(waiting, 'request() to resolve with the response', "Parse each line from the server and resolve the request whose id it carries.");
  check(isDeepStrictEqual(got, response), {
    message: `Expected request() to resolve with ${JSON.stringify(response)}, received ${JSON.stringify(got)}.`,
    why: 'request() resolves with the response as the server sent it: ok, data or error. Only a lost connection or a timeout rejects.',
    spec: PROTOCOL,
    hint: 'Resolve with the parsed response object.',
  });
  client.close();
});

test('matches each response to its request by id, whatever the order', async ({ scripted }) => {
  const { client, peer } = await start(scripted);
  const words = ['first', 'second', 'third'];
  const waiting = words.map((word) => client.request('ECHO', word));
  const requests = [await readRequest(peer), await readRequest(peer), await readRequest(peer)];
  const ids = requests.map((r) => r.id);
  check(new Set(ids.map((id) => JSON.stringify(id))).size === 3, {
    message: `Expected three different ids for three requests in flight, received ${JSON.stringify(ids)}.`,
    why: 'An id names one request among those waiting. Two with the same id cannot be told apart.',
    hint: 'Use a counter that only ever goes up.',
  });
  // Answer the last first, all three glued into one write.
  await peer.send([2, 0, 1].map((i) => line({ id: requests[i]!.id, ok: true, data: requests[i]!.data })));
  for (const [i, word] of words.entries()) {
    const got = await resolved(waiting[i]!, `the request for ${JSON.stringify(word)} to resolve`, 'Keep waiting requests in a Map from id to its resolve/reject.');
    check(got.data === word, {
      message: `Expected the request for ${JSON.stringify(word)} to resolve with its own response, received ${JSON.stringify(got)}.`,
      why: 'Responses may come in any order: a slow command can be overtaken by a quick one. Matching them to requests in order of arrival gives each caller somebody else\'s answer.',
      spec: PROTOCOL,
      hint: 'Look up the response\'s "id" in your Map of waiting requests, and resolve that one.',
    });
  }
  client.close();
});

test('reads responses however the bytes arrive', async ({ scripted }) => {
  const { client, peer } = await start(scripted);
  const one = client.request('ECHO', 'trickled');
  const first = await readRequest(peer);
  await peer.send(line({ id: first.id, ok: true, data: 'trickled' }), { split: 'trickle' });
  const got = await resolved(one, 'the response sent one byte at a time to resolve the request', "Keep the bytes after the last '\\n' for the next 'data' event; parse only whole lines.");
  check(got.data === 'trickled', { message: `Expected "trickled", received ${JSON.stringify(got)}.`, spec: PROTOCOL });

  const text = 'héllo wörld ✓ 🎉 日本語';
  const two = [client.request('ECHO', text), client.request('ECHO', 'plain')];
  const requests = [await readRequest(peer), await readRequest(peer)];
  await peer.send(requests.map((r) => line({ id: r.id, ok: true, data: r.data })), { split: 'trickle' });
  const answers = await Promise.all(two.map((p) => resolved(p, 'both responses, cut one byte a write, to resolve their requests', 'Handle every complete line in the buffer.')));
  check(answers[0]!.data === text, {
    message: `Expected ${JSON.stringify(text)} back, received ${JSON.stringify(answers[0]!.data)}.`,
    why: "'é' is 2 bytes in UTF-8 and '🎉' 4: decoding each chunk on its own cuts them, and the halves become U+FFFD.",
    spec: 'Node docs: buf.toString(); string_decoder',
    hint: 'Keep a Buffer, and decode a line only once it is complete.',
  });
  const more = Array.from({ length: 8 }, (_, i) => client.request('ECHO', `random ${i}`));
  const seen = [];
  for (let i = 0; i < more.length; i++) seen.push(await readRequest(peer));
  await peer.send(seen.map((r) => line({ id: r.id, ok: true, data: r.data })), { split: 'random' });
  for (const [i, p] of more.entries()) {
    const answer = await resolved(p, `request ${i + 1} of 8, answered with random cuts, to resolve`, 'Every line is one response, wherever the cuts fall.');
    check(answer.data === `random ${i}`, { message: `Expected "random ${i}", received ${JSON.stringify(answer)}.`, spec: PROTOCOL });
  }
  client.close();
});

test('hands pushes to onPush, in order, between and around responses', async ({ scripted }) => {
  const pushes: Push[] = [];
  const { client, peer } = await start(scripted, { onPush: (push) => pushes.push(push) });
  const waiting = client.request('LIST_USERS');
  const request = await readRequest(peer);
  const time = new Date().toISOString();
  const push = (n: number) => ({ type: 'MESSAGE', data: { from: 'ann', text: `push ${n}`, time } });
  const response = { id: request.id, ok: true, data: ['ann', 'bob'] };
  await peer.send([line(push(1)), line(response), line(push(2))]);
  const got = await resolved(waiting, 'the request to resolve with its response, between two pushes', 'A line with an "id" is a response; a line without one is a push.');
  check(isDeepStrictEqual(got, response), {
    message: `Expected the request to resolve with ${JSON.stringify(response)}, received ${JSON.stringify(got)}.`,
    why: 'A push can arrive while a request waits. It has no id, and answers nothing.',
    spec: PROTOCOL,
    hint: 'Send a message without an "id" to onPush; resolve only the request whose id a response carries.',
  });
  // A line that is not JSON, and a response to nothing, must not upset the client.
  await peer.send(['not json at all\n', line({ id: 987654, ok: true, data: 'to nobody' }), line(push(3))], { split: 'trickle' });
  const next = client.request('TIME');
  const timeRequest = await readRequest(peer);
  await peer.send(line({ id: timeRequest.id, ok: true, data: 'now' }));
  await resolved(next, 'a request after the odd lines to resolve', 'Skip a line that is not JSON, and a response whose id nobody waits for.');
  check(isDeepStrictEqual(pushes, [push(1), push(2), push(3)]), {
    message: `Expected onPush to get the three pushes in order, received ${JSON.stringify(pushes).slice(0, 300)}.`,
    why: 'Pushes are what the server sends unasked (here, MESSAGEs from others). Each goes to onPush once, in arrival order; responses never do.',
    spec: PROTOCOL,
    hint: 'For each line without an "id", call options.onPush(message).',
  });
  client.close();
});

test('rejects waiting requests when the connection closes, and later ones at once', async ({ scripted }) => {
  const { client, peer } = await start(scripted);
  const waiting = [client.request('ECHO', 'a'), client.request('ECHO', 'b')];
  await readRequest(peer);
  await readRequest(peer);
  await peer.end(); // the server hangs up (FIN) without answering
  for (const [i, request] of waiting.entries()) {
    const outcome = await settle(request, 2000);
    check(outcome.state === 'rejected', {
      message: `Expected waiting request ${i + 1} to reject when the server closed the connection, but it ${outcome.state === 'pending' ? 'was still waiting 2 s later' : 'resolved'}.`,
      why: 'Once the connection is gone no response can come: a request left waiting would hang its caller forever.',
      spec: "Node docs: net.Socket Event 'close'",
      hint: "In the socket's 'close' handler, reject every waiting request and clear the Map.",
    });
  }
  const later = await settle(client.request('ECHO', 'too late'), 500);
  check(later.state === 'rejected', {
    message: `Expected request() after the close to reject at once, but it ${later.state === 'pending' ? 'was still waiting' : 'resolved'}.`,
    hint: 'Remember that the connection ended, and reject new requests right away.',
  });
});

test('rejects a request that gets no response in time, and ignores the late response', async ({ scripted }) => {
  const { client, peer } = await start(scripted, { timeoutMs: 300 });
  const started = performance.now();
  const slow = client.request('ECHO', 'slow');
  const request = await readRequest(peer);
  const outcome = await settle(slow, 3000);
  const took = Math.round(performance.now() - started);
  check(outcome.state === 'rejected' && took >= 250, {
    message:
      outcome.state === 'rejected'
        ? `Expected the request to wait about 300 ms (timeoutMs) before rejecting, but it rejected after ${took} ms.`
        : `Expected the request to reject after timeoutMs (300 ms) with no response, but it ${outcome.state === 'pending' ? 'was still waiting after 3 s' : 'resolved'}.`,
    why: 'A server may never answer (busy, stuck, a lost message). Without a timeout the caller waits forever.',
    spec: PROTOCOL,
    hint: 'Start a setTimeout(…, timeoutMs) per request that deletes it from the Map and rejects; clearTimeout when the response comes.',
  });
  // The answer comes after all, then a new request: the late answer must not be taken for it.
  await peer.send(line({ id: request.id, ok: true, data: 'slow' }));
  const next = client.request('ECHO', 'fresh');
  const nextRequest = await readRequest(peer);
  await peer.send(line({ id: nextRequest.id, ok: true, data: 'fresh' }));
  const got = await resolved(next, 'the next request to resolve', 'Drop a response whose id no request waits for.');
  check(got.data === 'fresh', {
    message: `Expected the new request to resolve with "fresh", received ${JSON.stringify(got)}.`,
    why: 'A timed-out request is forgotten, and its id is never used again: a late answer to it must match nothing.',
    spec: PROTOCOL,
    hint: 'Take ids from a counter that only goes up (not from the number of requests waiting).',
  });
  client.close();
});

// Hidden tests for lesson 5, json-protocol, part 2: the client module (client.ts), driven against
// a scripted server in the check that answers out of order, cuts and glues its lines, pushes in
// between, goes silent, or hangs up.

import { isDeepStrictEqual } from 'node:util';
import { scriptedTest, importLessonModule, check, clientCrashes, LessonFailure, quote, type RawClient, type ScriptedServer } from '#harness/testing/index.ts';

/** What the client must survive (harness/testing/crashes.ts captures it while a test runs). */
const { crash, checkNoCrash, within } = clientCrashes({
  handles: 'handle what the server sent',
  errorEvent: {
    why: "An 'error' event nobody listens for is thrown, and in a program using your client it ends the program: a server that resets, or is not there, would crash it.",
    spec: "Node docs: events, Error events; net.Socket Event 'error'",
    hint: "Listen for 'error' on the socket from the moment you create it: while connecting, reject connect() with it; after that, reject the waiting requests.",
  },
  handler: {
    why: 'An exception thrown in an event handler is not caught by anything: in a program using your client it ends the program, because of one odd line from the server.',
    hint: 'Check what you parsed before using it (typeof value === "object" && value !== null), and skip lines you cannot use.',
  },
});

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
interface Options {
  timeoutMs?: number;
  onPush?: (push: Push) => void;
  onClose?: () => void;
}
type Lesson = { connect(options: { port: number; host?: string } & Options): Promise<ClientLike> };

/**
 * scriptedTest, concurrent, with the client's crashes captured: an exception its event handlers
 * throw fails the test that provoked it with a message saying so (see harness/testing/crashes.ts),
 * not the whole run, nor a test running beside it. The tests run at once: each has its own scripted
 * server and its own client, and nothing of one is seen by another; the file takes as long as the
 * slowest of them (a timeout, a trickle) instead of their sum. Their waits prove what the client
 * does, in the check's own process, however many run beside them.
 */
const test = (name: string, body: (fixtures: { scripted: () => Promise<ScriptedServer> }) => Promise<void>) =>
  scriptedTest.concurrent(name, ({ scripted }) => within(() => body({ scripted })));

const load = () => importLessonModule<Lesson>('json-protocol', 'client.ts', ['connect']);
const PROTOCOL = 'lessons/05-json-protocol/README.md, "The protocol" and "The client"';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outcome<T> = { state: 'resolved'; value: T } | { state: 'rejected'; error: Error } | { state: 'pending' };

/** How `promise` settles within `ms` (or that it is still pending then). Fails at once if the client throws meanwhile. */
async function settle<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  checkNoCrash();
  return Promise.race([
    promise.then(
      (value) => ({ state: 'resolved' as const, value }),
      (error: Error) => ({ state: 'rejected' as const, error }),
    ),
    sleep(ms).then(() => ({ state: 'pending' as const })),
    crash(),
  ]);
}

/** Waits until `done()` holds, or `ms` passed. */
async function until(done: () => boolean, ms: number): Promise<void> {
  for (const deadline = performance.now() + ms; !done() && performance.now() < deadline;) await sleep(5);
}

/** Waits for `promise` to resolve; fails with `what` and `hint` if it rejects or hangs. */
async function resolved<T>(promise: Promise<T>, what: string, hint: string, ms = 2000): Promise<T> {
  const outcome = await settle(promise, ms);
  if (outcome.state === 'resolved') return outcome.value;
  throw new LessonFailure({
    message:
      outcome.state === 'pending'
        ? `Expected ${what} within ${ms / 1000} s, but it was still waiting.`
        : `Expected ${what}, but it rejected: ${outcome.error?.message}`,
    spec: PROTOCOL,
    hint,
  });
}

/** The requests made through start()'s client whose line the check has not read yet, oldest first. */
const unread = new WeakMap<RawClient, Array<{ type: string; promise: Promise<unknown> }>>();

/**
 * Reads one request line your client wrote, parsed. Should the request it belongs to reject before
 * its line comes (a request() that gives up at once), that fails now rather than after a long wait.
 */
async function readRequest(server: RawClient): Promise<{ id: unknown; type: unknown; data?: unknown }> {
  const reading = server.readUntil('\n', {
    max: 64 * 1024,
    why: 'request() writes the request as one line of JSON: {"id": …, "type": …, "data": …} and "\\n".',
    spec: PROTOCOL,
    hint: 'socket.write(JSON.stringify({ id, type, data }) + "\\n").',
  });
  const request = unread.get(server)?.shift();
  const line = await (request
    ? Promise.race([
        reading,
        request.promise.then(
          () => reading,
          (error: Error) => {
            reading.catch(() => undefined);
            throw new LessonFailure({
              message: `Expected request(${JSON.stringify(request.type)}) to write its request and wait for the response, but it rejected before writing a line: ${error?.message}`,
              spec: PROTOCOL,
              hint: 'Write the request line, remember the request under its id, and settle it only when its response comes, the connection ends or its time is up.',
            });
          },
        ),
      ])
    : reading);
  try {
    const value: unknown = JSON.parse(line.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as { id: unknown; type: unknown };
  } catch {
    // reported below
  }
  throw new LessonFailure({ message: `Expected a request as one line of JSON (an object), received ${quote(line.subarray(0, 120))}.`, spec: PROTOCOL });
}

const line = (value: object) => `${JSON.stringify(value)}\n`;

async function start(scripted: () => Promise<ScriptedServer>, options: Options = {}) {
  const { connect } = await load();
  const server = await scripted();
  const connected = await resolved(
    connect({ port: server.port, ...options }),
    'connect() to resolve once connected',
    "Resolve in the socket's 'connect' event.",
  );
  const peer = await server.accept();
  // Every request promise gets a handler at once: one that rejects before the check awaits it is
  // an outcome to check, not an unhandled rejection.
  const requests: Array<{ type: string; promise: Promise<unknown> }> = [];
  unread.set(peer, requests);
  const client: ClientLike = {
    request: (type, data) => {
      const promise = connected.request(type, data);
      promise.catch(() => undefined);
      requests.push({ type, promise });
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
    hint: "Return a Promise that the response with this request's id resolves (see the TODO in request()).",
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
  const got = await resolved(waiting, 'request() to resolve with the response', 'Parse each line from the server and resolve the request whose id it carries.');
  check(isDeepStrictEqual(got, response), {
    message: `Expected request() to resolve with ${JSON.stringify(response)}, received ${JSON.stringify(got)}.`,
    why: 'request() resolves with the response as the server sent it: ok, data or error. Only a lost connection or a timeout rejects.',
    spec: PROTOCOL,
    hint: 'Resolve with the parsed response object.',
  });
  client.close();
});

test('request() sends falsy data as it is: 0, false, null and "" are data too', async ({ scripted }) => {
  const { client, peer } = await start(scripted);
  for (const data of [0, false, null, ''] as unknown[]) {
    const waiting = client.request('ECHO', data);
    const request = await readRequest(peer);
    check('data' in request && isDeepStrictEqual(request.data, data), {
      message: `Expected request('ECHO', ${JSON.stringify(data)}) to send "data": ${JSON.stringify(data)}, received ${JSON.stringify(request)}.`,
      why: 'Only a request without data (data === undefined) goes out without the "data" key. 0, false, null and "" are JSON values the server must see: ECHO of 0 answers 0, and without "data" the server answers an error.',
      spec: PROTOCOL,
      hint: 'Leave "data" out only when data === undefined; a test like `data ? … : …` drops every falsy value.',
    });
    await peer.send(line({ id: request.id, ok: true, data }));
    await resolved(waiting, 'request() to resolve with the response', 'Resolve the request whose id the response carries.');
  }
  client.close();
});

test('request() writes the request as UTF-8, characters outside ASCII included', async ({ scripted }) => {
  const { client, peer } = await start(scripted);
  const text = 'héllo wörld ✓ 🎉 日本語';
  const waiting = client.request('ECHO', text);
  const request = await readRequest(peer);
  check(request.data === text, {
    message: `Expected the request's "data" to be ${JSON.stringify(text)}, received ${JSON.stringify(request.data)}.`,
    why: "JSON on the wire is UTF-8 (RFC 8259 §8.1). socket.write(string) encodes UTF-8 by default; 'latin1' or 'binary' keeps only the low byte of each character, so 'é' goes out as one byte that is not UTF-8 and '✓' as a control character.",
    spec: 'RFC 8259 §8.1; Node docs: socket.write(data[, encoding])',
    hint: 'Write the JSON line with socket.write(line) (UTF-8), or Buffer.from(line, "utf8").',
  });
  await peer.send(line({ id: request.id, ok: true, data: text }));
  const got = await resolved(waiting, 'request() to resolve with the response', 'Resolve the request whose id the response carries.');
  check(got.data === text, { message: `Expected ${JSON.stringify(text)} back, received ${JSON.stringify(got.data)}.`, spec: PROTOCOL });
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
    const got = await resolved(
      waiting[i]!,
      `the request for ${JSON.stringify(word)} to resolve`,
      'Keep waiting requests in a Map from id to its resolve/reject.',
    );
    check(got.data === word, {
      message: `Expected the request for ${JSON.stringify(word)} to resolve with its own response, received ${JSON.stringify(got)}.`,
      why: "Responses may come in any order: a slow command can be overtaken by a quick one. Matching them to requests in order of arrival gives each caller somebody else's answer.",
      spec: PROTOCOL,
      hint: 'Look up the response\'s "id" in your Map of waiting requests, and resolve that one.',
    });
  }
  client.close();
});

test('matches a response only by its exact id: the id "1" is not the id 1', async ({ scripted }) => {
  const { client, peer } = await start(scripted);
  const waiting = client.request('ECHO', 'mine');
  const request = await readRequest(peer);
  const id = request.id;
  // The same id with the other JSON type: a string for a number, a number for a string of digits.
  const lookalike = typeof id === 'number' ? String(id) : typeof id === 'string' && /^-?\d+$/.test(id) ? Number(id) : undefined;
  if (lookalike !== undefined) {
    await peer.send(line({ id: lookalike, ok: true, data: 'not yours' }));
    const early = await settle(waiting, 100);
    check(early.state === 'pending', {
      message: `Expected a response with "id": ${JSON.stringify(lookalike)} to answer nothing (the request's id is ${JSON.stringify(id)}), but the request ${early.state === 'resolved' ? `resolved with ${JSON.stringify(early.value)}` : 'rejected'}.`,
      why: 'A response repeats the id exactly, type and all: 1 and "1" are two different ids. An object used as a map (pending[id]) or a Map keyed by String(id) turns both into the same key.',
      spec: PROTOCOL,
      hint: 'Keep waiting requests in a Map keyed by the id itself: new Map<number | string, Pending>().',
    });
  }
  await peer.send(line({ id, ok: true, data: 'mine' }));
  const got = await resolved(waiting, 'the request to resolve with the response carrying its own id', 'Look the response up by its exact id.');
  check(got.data === 'mine', { message: `Expected the request to resolve with "mine", received ${JSON.stringify(got)}.`, spec: PROTOCOL });
  client.close();
});

test('reads responses however the bytes arrive', async ({ scripted }) => {
  const { client, peer } = await start(scripted);
  const one = client.request('ECHO', 'trickled');
  const first = await readRequest(peer);
  await peer.send(line({ id: first.id, ok: true, data: 'trickled' }), { split: 'trickle' });
  const got = await resolved(
    one,
    'the response sent one byte at a time to resolve the request',
    "Keep the bytes after the last '\\n' for the next 'data' event; parse only whole lines.",
  );
  check(got.data === 'trickled', { message: `Expected "trickled", received ${JSON.stringify(got)}.`, spec: PROTOCOL });

  const text = 'héllo wörld ✓ 🎉 日本語';
  const two = [client.request('ECHO', text), client.request('ECHO', 'plain')];
  const requests = [await readRequest(peer), await readRequest(peer)];
  await peer.send(
    requests.map((r) => line({ id: r.id, ok: true, data: r.data })),
    { split: 'trickle' },
  );
  const answers = await Promise.all(
    two.map((p) => resolved(p, 'both responses, cut one byte a write, to resolve their requests', 'Handle every complete line in the buffer.')),
  );
  check(answers[0]!.data === text, {
    message: `Expected ${JSON.stringify(text)} back, received ${JSON.stringify(answers[0]!.data)}.`,
    why: "'é' is 2 bytes in UTF-8 and '🎉' 4: decoding each chunk on its own cuts them, and the halves become U+FFFD.",
    spec: 'Node docs: buf.toString(); string_decoder',
    hint: 'Keep a Buffer, and decode a line only once it is complete.',
  });
  const more = Array.from({ length: 8 }, (_, i) => client.request('ECHO', `random ${i}`));
  const seen = [];
  for (let i = 0; i < more.length; i++) seen.push(await readRequest(peer));
  await peer.send(
    seen.map((r) => line({ id: r.id, ok: true, data: r.data })),
    { split: 'random' },
  );
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
  const got = await resolved(
    waiting,
    'the request to resolve with its response, between two pushes',
    'A line with an "id" is a response; a line without one is a push.',
  );
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

test('ignores lines that are JSON but not objects', async ({ scripted }) => {
  const pushes: Push[] = [];
  const { client, peer } = await start(scripted, { onPush: (push) => pushes.push(push) });
  const waiting = client.request('TIME');
  const request = await readRequest(peer);
  await peer.send(['null\n', '42\n', '"just a string"\n', '[1, 2, 3]\n', 'true\n', line({ id: request.id, ok: true, data: 'now' })]);
  const got = await resolved(
    waiting,
    'the request to resolve after lines that are JSON but not objects',
    'Skip any parsed value that is not an object before looking at its fields.',
  );
  check(got.data === 'now', { message: `Expected the request to resolve with "now", received ${JSON.stringify(got)}.`, spec: PROTOCOL });
  check(pushes.length === 0, {
    message: `Expected no pushes from lines that are not JSON objects, received ${JSON.stringify(pushes).slice(0, 200)}.`,
    why: 'Every message is a JSON object. null, a number, a string or an array is not a response and not a push: it is ignored.',
    spec: PROTOCOL,
    hint: 'After JSON.parse: if (typeof value !== "object" || value === null || Array.isArray(value)) return;',
  });
  client.close();
});

test('rejects waiting requests when the connection closes, and later ones at once', async ({ scripted }) => {
  let closed = 0;
  const { client, peer } = await start(scripted, { onClose: () => closed++ });
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
  await until(() => closed > 0, 1000);
  await sleep(20); // a second call would come right behind the first
  check(closed === 1, {
    message: `Expected onClose to be called once when the connection ended, but it was called ${closed === 0 ? 'never' : `${closed} times`}.`,
    why: 'onClose tells the program that the connection is over, once: a program that reconnects on onClose would otherwise reconnect twice, or never.',
    spec: 'lessons/05-json-protocol/client.ts, ConnectOptions.onClose',
    hint: "Call options.onClose from the socket's 'close' event only: it comes once, after a FIN, a reset or your own close().",
  });
});

test('rejects waiting requests when the server resets the connection, and calls onClose', async ({ scripted }) => {
  let closed = 0;
  const { client, peer } = await start(scripted, { onClose: () => closed++ });
  const waiting = [client.request('ECHO', 'a'), client.request('ECHO', 'b')];
  await readRequest(peer);
  await readRequest(peer);
  peer.reset(); // the server crashed, or gave up on us: RST, no FIN
  for (const [i, request] of waiting.entries()) {
    const outcome = await settle(request, 2000);
    check(outcome.state === 'rejected', {
      message: `Expected waiting request ${i + 1} to reject when the server reset the connection, but it ${outcome.state === 'pending' ? 'was still waiting 2 s later' : 'resolved'}.`,
      why: "A reset emits 'error' and then 'close', but never 'end'. A client that settles its requests on 'end' leaves them waiting forever when the server resets.",
      spec: "Node docs: net.Socket Events 'error' and 'close'",
      hint: "Reject everything still waiting in the 'close' handler (it comes after FIN, RST and your own destroy alike).",
    });
  }
  const later = await settle(client.request('ECHO', 'too late'), 500);
  check(later.state === 'rejected', {
    message: `Expected request() after the reset to reject at once, but it ${later.state === 'pending' ? 'was still waiting' : 'resolved'}.`,
    hint: 'Remember that the connection ended, however it ended, and reject new requests right away.',
  });
  await until(() => closed > 0, 1000);
  await sleep(20); // a second call would come right behind the first
  check(closed === 1, {
    message: `Expected onClose to be called once after the reset, but it was called ${closed === 0 ? 'never' : `${closed} times`}.`,
    why: "After a reset there is no 'end' event: only 'error' and 'close'.",
    spec: "Node docs: net.Socket Event 'close'",
    hint: "Call options.onClose from 'close', not from 'end'.",
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

test('times a request out on time, even while the server keeps sending other lines', async ({ scripted }) => {
  const { client, peer } = await start(scripted, { timeoutMs: 300, onPush: () => undefined });
  const started = performance.now();
  const waiting = client.request('ECHO', 'never answered');
  const request = await readRequest(peer);
  // Pushes every 40 ms for 600 ms, then the start of a response line, then silence. Once the
  // request has settled the rest is not needed: a client whose timer starts over with every byte
  // (an idle timeout) cannot reject before the chatter and its half line have ended, 600 ms in,
  // plus its 300 ms, which the bound of 800 ms below catches.
  const time = new Date().toISOString();
  let settled = false;
  const chatter = (async () => {
    for (let i = 0; i < 15 && peer.state === 'open' && !settled; i++) {
      await peer.send(line({ type: 'MESSAGE', data: { from: 'ann', text: `busy ${i + 1}`, time } }));
      await sleep(40);
    }
    if (peer.state === 'open' && !settled) await peer.send(`{"id":${JSON.stringify(request.id)},"ok":tr`);
  })();
  const outcome = await settle(waiting, 3000);
  const took = Math.round(performance.now() - started);
  settled = true;
  await chatter.catch(() => undefined);
  check(outcome.state === 'rejected' && took < 800, {
    message:
      outcome.state === 'rejected'
        ? `Expected the request to reject about 300 ms (timeoutMs) after it was sent, but it rejected after ${took} ms.`
        : `Expected the request to reject after timeoutMs (300 ms), but it ${outcome.state === 'pending' ? 'was still waiting after 3 s' : 'resolved'}.`,
    why: 'The deadline belongs to the request: pushes and other traffic, or the first half of a line, are not its response. An idle timeout (socket.setTimeout) starts over with every byte, so a server that keeps talking, or stalls in the middle of a line, holds the request forever.',
    spec: PROTOCOL,
    hint: "Start one setTimeout(…, timeoutMs) per request when it is sent, and clear it only when that request's response arrives.",
  });
  client.close();
});

test('connect() rejects when nothing listens on the port', async ({ scripted }) => {
  const { connect } = await load();
  const server = await scripted();
  const port = server.port;
  server.close(); // nobody there now: the connection is refused
  await sleep(20);
  const outcome = await settle(connect({ port }), 2000);
  check(outcome.state === 'rejected', {
    message: `Expected connect() to reject when the connection is refused, but it ${outcome.state === 'pending' ? 'was still waiting after 2 s' : 'resolved'}.`,
    why: "A refused connection arrives as the socket's 'error' event (ECONNREFUSED). The interactive client tells its user to start the server when connect() rejects; one that never settles leaves the user staring at nothing.",
    spec: "Node docs: net.connect(), Event 'error'",
    hint: "In connect(): socket.once('error', reject) until 'connect' fires.",
  });
});

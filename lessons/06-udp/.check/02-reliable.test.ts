// Hidden tests for lesson 6, udp, part 2: the reliable request of client.ts, against an echo
// server in the check that drops, duplicates and delays datagrams, by script or at random (seeded:
// `learn check --seed S` replays the same losses).

import { randomBytes } from 'node:crypto';
import { lossyTest as test, lossy, importLessonModule, check, LessonFailure, byteCount, describeBytes, type LossyEchoServer } from '#harness/testing/index.ts';

interface ReliableClient {
  request(payload: Buffer | string): Promise<Buffer>;
  close(): void;
}
type Lesson = { createClient(options: { port: number; host?: string; timeoutMs?: number; retries?: number }): Promise<ReliableClient> };

const load = () => importLessonModule<Lesson>('udp', 'client.ts', ['createClient']);
const PROTOCOL = 'lessons/06-udp/README.md, "Part two: a request that gets through"';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outcome = { state: 'resolved'; value: Buffer } | { state: 'rejected'; error: Error } | { state: 'pending' };

async function settle(promise: Promise<Buffer>, ms: number): Promise<Outcome> {
  return Promise.race([
    promise.then(
      (value) => ({ state: 'resolved' as const, value }),
      (error: Error) => ({ state: 'rejected' as const, error }),
    ),
    sleep(ms).then(() => ({ state: 'pending' as const })),
  ]);
}

/** Awaits a request that must resolve with `expected` within `ms`. */
async function answered(promise: Promise<Buffer>, expected: Buffer, ms: number, why: string, hint: string): Promise<void> {
  const outcome = await settle(promise, ms);
  if (outcome.state !== 'resolved') {
    throw new LessonFailure({
      message: `Expected request() to resolve with ${describeBytes(expected)} within ${ms / 1000} s, but it ${outcome.state === 'pending' ? 'was still waiting' : `rejected: ${outcome.error.message}`}.`,
      why,
      spec: PROTOCOL,
      hint,
    });
  }
  const got = Buffer.isBuffer(outcome.value) ? outcome.value : Buffer.from(String(outcome.value));
  check(got.equals(expected), {
    message: `Expected request() to resolve with ${describeBytes(expected)}, received ${describeBytes(got)}.`,
    expected,
    received: got,
    why,
    spec: PROTOCOL,
    hint,
  });
}

/** The learner's client, aimed at `lossyServer`, and closed when the test ends (`onTestFinished` of its context). */
async function start(
  lossyServer: LossyEchoServer,
  options: { timeoutMs: number; retries: number },
  onTestFinished: (fn: () => void) => void,
): Promise<ReliableClient> {
  const { createClient } = await load();
  const client = await createClient({ port: lossyServer.port, ...options });
  onTestFinished(() => {
    try {
      client.close();
    } catch {
      // already closed
    }
  });
  return client;
}

/** The sequence number of a datagram the client sent. */
const seqOf = (datagram: Buffer) => (datagram.length >= 4 ? datagram.readUInt32BE(0) : undefined);

// Each test has a lossy server and a client of its own, and its timers are short: they run at once
// (test.concurrent), and the file takes as long as the longest of them instead of their sum.
test.concurrent('request() sends [sequence number][payload] and resolves with the payload of the reply', async ({ lossyEcho, onTestFinished }) => {
  const server = await lossyEcho();
  const client = await start(server, { timeoutMs: 200, retries: 3 }, onTestFinished);
  const first = client.request(Buffer.from('hello'));
  await answered(
    first,
    Buffer.from('hello'),
    2000,
    'The echo of the request carries its sequence number; its payload (after the 4-byte header) is the answer.',
    'Resolve with reply.subarray(4) once the reply with your sequence number arrives.',
  );
  const sent = server.received[0]?.data;
  check(sent !== undefined && sent.length === 4 + 5 && sent.subarray(4).toString() === 'hello', {
    message: `Expected the datagram to be a 4-byte sequence number and then "hello" (9 bytes), received ${sent ? describeBytes(sent) : 'nothing'}.`,
    why: 'The sequence number is what lets the client tell the reply to this request from any other datagram.',
    spec: PROTOCOL,
    hint: 'Buffer.alloc(4 + payload.length); datagram.writeUInt32BE(seq, 0); payload.copy(datagram, 4).',
  });
  await answered(
    client.request('world'),
    Buffer.from('world'),
    2000,
    'A second request works like the first.',
    'Accept a string payload too: Buffer.from(payload).',
  );
  const seqs = server.received.map((d) => seqOf(d.data));
  check(seqs.length === 2 && seqs[0] !== seqs[1], {
    message: `Expected two requests with two different sequence numbers, received ${JSON.stringify(seqs)}.`,
    why: 'Each request gets a number of its own; retries of one request reuse its number.',
    spec: PROTOCOL,
    hint: 'Take the number from a counter that goes up by one per request.',
  });
});

test.concurrent('sends the same datagram again when no reply comes, and stops once answered', async ({ lossyEcho, onTestFinished }) => {
  const server = await lossyEcho((index) => (index < 2 ? [] : [0])); // the first two are lost
  const client = await start(server, { timeoutMs: 50, retries: 4 }, onTestFinished);
  await answered(
    client.request('lost twice'),
    Buffer.from('lost twice'),
    3000,
    'The first two datagrams were lost. Nothing tells the client: only a timeout does, and then it sends again.',
    'Wait timeoutMs for the reply; if none came, send the same datagram again, up to retries more times.',
  );
  const atAnswer = server.received.length;
  const copies = server.received.map((d) => d.data);
  check(copies.length >= 3 && copies.every((copy) => copy.equals(copies[0]!)), {
    message: `Expected three identical datagrams (two lost, one answered), received ${copies.map((c) => describeBytes(c)).join(', ')}.`,
    why: 'A retry resends the very same datagram, sequence number included: then a reply to any copy answers the request.',
    spec: PROTOCOL,
    hint: 'Build the datagram once, before the loop, and send that Buffer on every try.',
  });
  await sleep(120); // longer than the client's retry interval: a leftover timer would fire in it
  check(server.received.length === atAnswer, {
    message: `Expected the client to stop sending once the reply came (${atAnswer} datagrams), but it sent ${server.received.length - atAnswer} more.`,
    why: 'A timer left running after the reply resends a request that was already answered: wasted traffic, forever if it re-arms itself.',
    spec: 'Node docs: clearTimeout()',
    hint: 'clearTimeout() the retry timer when the reply arrives.',
  });
});

test.concurrent('a reply slower than the timeout still answers the request', async ({ lossyEcho, onTestFinished }) => {
  const server = await lossyEcho(() => [130]); // every echo takes 130 ms; the client waits 50 ms per try
  const client = await start(server, { timeoutMs: 50, retries: 4 }, onTestFinished);
  await answered(
    client.request('slow path'),
    Buffer.from('slow path'),
    3000,
    'The reply to the first send arrives after the client sent again. It carries the same sequence number, so it answers the request.',
    'Keep the same sequence number for every try of a request, and accept the first reply that carries it.',
  );
});

test.concurrent('ignores duplicates, stale replies and datagrams from strangers', async ({ lossyEcho, onTestFinished }) => {
  // alpha's echo comes twice (the copy 80 ms late); bravo's comes after 150 ms.
  const server = await lossyEcho((index) => (index === 0 ? [0, 80] : [150]));
  const client = await start(server, { timeoutMs: 400, retries: 1 }, onTestFinished);
  await answered(
    client.request('alpha'),
    Buffer.from('alpha'),
    2000,
    'A plain request and its echo.',
    'Resolve with the payload of the reply that carries your sequence number.',
  );
  const bravo = client.request('bravo');
  for (let i = 0; i < 100 && server.received.length < 2; i++) await sleep(5);
  const bravoSeq = server.received[1]?.data.subarray(0, 4) ?? Buffer.alloc(4);
  await server.impostor(Buffer.concat([bravoSeq, Buffer.from('forged')]));
  await answered(
    bravo,
    Buffer.from('bravo'),
    2000,
    "While bravo waited, three other datagrams came: alpha's late duplicate, and a reply from another port with bravo's number. Only bravo's own echo, from the server, answers it.",
    "Drop a reply whose sequence number is not a request's that waits, and a datagram not from the server: socket.connect(port, host) has the kernel drop those, or compare rinfo.port and rinfo.address.",
  );
});

test.concurrent('gives up with an error after 1 + retries sends', async ({ lossyEcho, onTestFinished }) => {
  const server = await lossyEcho(() => []); // everything is lost
  const client = await start(server, { timeoutMs: 15, retries: 3 }, onTestFinished);
  const outcome = await settle(client.request('into the void'), 5000);
  check(outcome.state === 'rejected', {
    message: `Expected request() to reject once its retries were used up, but it ${outcome.state === 'pending' ? 'was still waiting after 5 s' : 'resolved'}.`,
    why: 'Some paths lose everything (the server is down, a firewall drops UDP). The caller must hear about it, not wait forever.',
    spec: PROTOCOL,
    hint: 'After the last try times out, reject with an Error that says how many tries were made.',
  });
  await sleep(100);
  check(server.received.length === 4, {
    message: `Expected 4 sends (1 + retries 3) in all, received ${server.received.length}.`,
    why: 'retries counts the sends after the first: retries 3 means four tries, then give up.',
    spec: PROTOCOL,
    hint: 'for (let attempt = 0; attempt <= retries; attempt++) { send; wait }',
  });
});

test.concurrent('keeps every answer with its request over a path that drops, duplicates and reorders', async ({ lossyEcho, onTestFinished, transcript }) => {
  const server = await lossyEcho(lossy({ drop: 0.2, duplicate: 0.3, maxDelayMs: 30 }, transcript.random));
  const client = await start(server, { timeoutMs: 45, retries: 8 }, onTestFinished);
  for (let i = 0; i < 12; i++) {
    const payload = randomBytes(8 + ((i * 97) % 400));
    await answered(
      client.request(payload),
      payload,
      5000,
      `Request ${i + 1} of 12 (${byteCount(payload.length)} of random bytes). Late copies of earlier replies keep arriving; each request is answered only by its own reply.`,
      'Match replies by sequence number, resend on timeout, and return the payload bytes untouched.',
    );
  }
});

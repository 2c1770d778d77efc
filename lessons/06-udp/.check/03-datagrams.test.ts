// Hidden tests for lesson 6, udp, part 3: the client's datagrams byte by byte, against a scripted
// server in the check (scripted-udp.ts) that answers exactly, sends what no server should (empty,
// short, wrongly numbered datagrams), or is not there at all. An exception the client throws from
// its event handlers fails the test that provoked it (harness/testing/crashes.ts).

import { lossyTest, importLessonModule, check, clientCrashes, LessonFailure, describeBytes, type Transcript } from '#harness/testing/index.ts';
import { ScriptedUdpServer } from './scripted-udp.ts';

/** What the client must survive (harness/testing/crashes.ts captures it while a test runs). */
const { checkNoCrash, crash, crashFailure, startCapturing, stopCapturing } = clientCrashes({
  handles: 'handle every datagram',
  errorEvent: {
    why: 'An \'error\' event nobody listens for is thrown, and in a program using your client it ends the program. A connected UDP socket reports an ICMP "port unreachable" (the server is down) as ECONNREFUSED.',
    spec: "Node docs: dgram, Event 'error' and Event 'message'; lessons/06-udp/README.md, rule 5",
    hint: "Keep an 'error' listener on the socket for its whole life: note the error, and let the retries and the final rejection do the rest.",
  },
  handler: {
    why: 'An exception thrown in an event handler is not caught by anything: in a program using your client it ends the program, because of one odd datagram from the network.',
    hint: 'Check datagram.length >= 4 before readUInt32BE(0), and drop what you cannot use.',
  },
});

interface ReliableClient {
  request(payload: Buffer | string): Promise<Buffer>;
  close(): void;
}
type Lesson = { createClient(options: { port: number; host?: string; timeoutMs?: number; retries?: number }): Promise<ReliableClient> };

const load = () => importLessonModule<Lesson>('udp', 'client.ts', ['createClient']);
const PROTOCOL = 'lessons/06-udp/README.md, "Part two: a request that gets through"';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const opened: Array<{ close(): void }> = [];

/** lossyTest (it gives the transcript), with the client's crashes captured, and everything closed after. */
const test = lossyTest.extend<{ crashes: void }>({
  crashes: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      startCapturing();
      try {
        await use();
      } finally {
        for (const thing of opened.splice(0)) {
          try {
            thing.close();
          } catch {
            // closed already
          }
        }
        const thrown = stopCapturing();
        if (thrown[0]) throw crashFailure(thrown[0]);
      }
    },
    { auto: true },
  ],
});

type Outcome = { state: 'resolved'; value: Buffer } | { state: 'rejected'; error: Error } | { state: 'pending' };

/** How `promise` settles within `ms`; fails at once if the client throws meanwhile. */
async function settle(promise: Promise<Buffer>, ms: number): Promise<Outcome> {
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

async function start(transcript: Transcript, options: { timeoutMs: number; retries: number }, port?: number) {
  const server = await ScriptedUdpServer.start(transcript, port);
  opened.push(server);
  const { createClient } = await load();
  const client = await createClient({ port: server.port, ...options });
  opened.push(client);
  return { server, client };
}

const seq = (n: number) => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(n >>> 0, 0);
  return header;
};

test('numbers requests 1, 2, 3 in four bytes, big-endian', async ({ transcript }) => {
  const { server, client } = await start(transcript, { timeoutMs: 1000, retries: 0 });
  for (const [n, payload] of [
    [1, 'one'],
    [2, 'two'],
    [3, 'three'],
  ] as const) {
    const waiting = client.request(payload);
    const sent = (
      await server.next({ why: 'request() sends one datagram: the sequence number, then the payload.', hint: 'socket.send(datagram) once per try.' })
    ).data;
    const expected = Buffer.concat([seq(n), Buffer.from(payload)]);
    check(sent.equals(expected), {
      message: `Expected request ${n} to go out as ${describeBytes(expected)}, received ${describeBytes(sent)}.`,
      expected,
      received: sent,
      why: `Request ${n} carries the number ${n} as 32 bits in network byte order, most significant byte first: ${seq(n).toString('hex').replace(/(..)/g, '$1 ').trim()}. Little-endian (${Buffer.from(seq(n)).reverse().toString('hex').replace(/(..)/g, '$1 ').trim()}) works against your own echo, but not against any other implementation of the protocol.`,
      spec: `${PROTOCOL}, the header and rule 1; RFC 791, Appendix B (network byte order: the most significant byte first)`,
      hint: 'nextSeq starts at 1; datagram.writeUInt32BE(seq, 0), and readUInt32BE(0) on replies.',
    });
    await server.send(sent, 'the server echoes it');
    await answered(waiting, Buffer.from(payload), 2000, "The echo carries the request's number, so it answers it.", 'Resolve with reply.subarray(4).');
  }
});

test('sends and returns the payload as bytes: UTF-8 text, binary, and nothing at all', async ({ transcript }) => {
  const { server, client } = await start(transcript, { timeoutMs: 1000, retries: 0 });
  const cases: Array<[Buffer | string, Buffer, string]> = [
    [
      'héllo ✓ 🎉',
      Buffer.from('héllo ✓ 🎉'),
      "a string with characters outside ASCII goes out as its UTF-8 bytes: 'é' is 2 bytes, '✓' 3 and '🎉' 4, so the datagram is longer than the string",
    ],
    [Buffer.from([0x00, 0xff, 0x80, 0x0a, 0xc3]), Buffer.from([0x00, 0xff, 0x80, 0x0a, 0xc3]), 'a Buffer goes out byte for byte, whatever the bytes'],
    ['', Buffer.alloc(0), 'an empty payload makes a datagram of just the 4-byte header, and its reply of 4 bytes answers with an empty Buffer'],
  ];
  for (const [payload, bytes, why] of cases) {
    const waiting = client.request(payload);
    const sent = (await server.next({ why: 'request() sends one datagram per try.' })).data;
    const expected = Buffer.concat([sent.subarray(0, 4), bytes]);
    check(sent.length >= 4 && sent.equals(expected), {
      message: `Expected the datagram to be the 4-byte header and ${describeBytes(bytes)} (${4 + bytes.length} bytes), received ${describeBytes(sent)} (${sent.length} bytes).`,
      expected,
      received: sent,
      why: `The payload is bytes: ${why}.`,
      spec: PROTOCOL,
      hint: 'Buffer.alloc(4 + Buffer.byteLength(payload)) counts bytes; payload.length counts characters. Then Buffer.from(payload).copy(datagram, 4).',
    });
    await server.send(sent, 'the server echoes it');
    await answered(
      waiting,
      bytes,
      2000,
      `The reply's payload is everything after its 4-byte header: ${why}.`,
      'Accept a reply of exactly 4 bytes (datagram.length >= 4, not > 4), and resolve with reply.subarray(4).',
    );
  }
});

test("reads a reply's number from all four bytes, and drops datagrams too short to carry one", async ({ transcript }) => {
  const { server, client } = await start(transcript, { timeoutMs: 1500, retries: 0 });
  const waiting = client.request('mine');
  const sent = (await server.next()).data;
  const n = sent.length >= 4 ? sent.readUInt32BE(0) : 1;
  const reversed = Buffer.from(seq(n)).reverse();
  const decoys: Array<[Buffer, string]> = [
    [Buffer.alloc(0), 'an empty datagram'],
    [Buffer.from([0x00, 0x00, 0x00]), 'a datagram of 3 bytes, too short for a sequence number'],
    [seq((n ^ 0x01000000) >>> 0), "a reply whose number differs from the request's in its first (most significant) byte only"],
  ];
  if (!reversed.equals(seq(n)))
    decoys.push([Buffer.concat([reversed, Buffer.from('little-endian')]), "a reply with the request's number written little-endian"]);
  for (const [decoy, what] of decoys)
    await server.send(Buffer.concat([decoy, decoy.length >= 4 ? Buffer.from('decoy') : Buffer.alloc(0)]), `the server sends ${what}`);
  const early = await settle(waiting, 100);
  check(early.state === 'pending', {
    message: `Expected request() to keep waiting through ${decoys.length} datagrams that don't answer it, but it ${early.state === 'resolved' ? `resolved with ${describeBytes(early.value)}` : early.state === 'rejected' ? `rejected: ${early.error.message}` : 'waited'}.`,
    why: "Only a reply whose 4-byte number, read big-endian, is the request's answers it. Empty and short datagrams carry no number at all: they are dropped (rule 5).",
    spec: PROTOCOL,
    hint: 'if (datagram.length < 4) return; then compare datagram.readUInt32BE(0) with the numbers waiting.',
  });
  await server.send(Buffer.concat([seq(n), Buffer.from('mine')]), 'then the real reply');
  await answered(
    waiting,
    Buffer.from('mine'),
    2000,
    'The real reply still answers the request after the odd datagrams.',
    'Drop what does not match, and keep waiting.',
  );
});

test('a request fails cleanly while the server is down, and the next one works once it is back', async ({ transcript }) => {
  const { server, client } = await start(transcript, { timeoutMs: 40, retries: 2 });
  server.stop(); // nothing listens: each datagram comes back as ICMP "port unreachable"
  const down = await settle(client.request('anyone?'), 3000);
  check(down.state === 'rejected', {
    message: `Expected request() to reject while nothing listens on the server's port, but it ${down.state === 'pending' ? 'was still waiting after 3 s' : 'resolved'}.`,
    why: 'With the server down, every try goes unanswered; after the last one times out, the caller must hear about it.',
    spec: PROTOCOL,
    hint: 'After 1 + retries tries, reject.',
  });
  await server.restartAsEcho();
  await answered(
    client.request('back again'),
    Buffer.from('back again'),
    2000,
    'The server is back on the same port. The same client must work again: the ECONNREFUSED errors while it was down are no reason to close the socket or to give up on the next request.',
    "In the 'error' listener, remember the error (for the rejection's message) and nothing more: don't close the socket.",
  );
});

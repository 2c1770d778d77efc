// The raw client against tiny in-process servers: each shape of write arrives as promised, each
// kind of close is told apart, and every wait is bounded with a WireError that says, as data,
// how it ended (the checks' `explain` makes a LessonFailure of it).

import net from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { explainWireError } from '../testing/explain.ts';
import { LessonFailure } from '../testing/failure.ts';
import { RawClient } from '../wire/client.ts';
import { WireError } from '../wire/errors.ts';
import { cut, reseed, rng, streamFor } from '../wire/segmentation.ts';
import { Transcript } from '../wire/transcript.ts';

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server on a free loopback port whose connections are handled by `onSocket`. */
async function serve(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, onSocket);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const connect = (port: number, transcript = new Transcript()) => RawClient.connect({ name: 'c1', port, transcript, timeoutMs: 500 });

test('trickle arrives as one read per byte; an array is coalesced into one write', async () => {
  const reads: number[] = [];
  const port = await serve((socket) => socket.on('data', (chunk) => reads.push(chunk.length)));
  const client = await connect(port);
  await client.send('abcd', { split: 'trickle', gapMs: 15 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(reads).toEqual([1, 1, 1, 1]);
  reads.length = 0;
  await client.send(['one\n', 'two\n']);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(reads).toEqual([8]);
});

test('random cuts are reproducible from the seed and cover every byte', () => {
  const bytes = Buffer.from('x'.repeat(1000));
  const a = rng(42);
  const b = rng(42);
  expect([a(), a()]).toEqual([b(), b()]);
  expect(Buffer.concat(cut(bytes, 'random')).equals(bytes)).toBe(true);
  expect(cut(bytes, [3, 4]).map((p) => p.length)).toEqual([3, 4, 993]);
});

test("a test's own stream cuts alike whatever other tests draw meanwhile (tests that run concurrently)", () => {
  const bytes = Buffer.from('x'.repeat(1000));
  const twice = (between: () => void) => {
    const mine = streamFor('test a');
    const first = cut(bytes, 'random', mine).map((p) => p.length);
    between();
    return [first, cut(bytes, 'random', mine).map((p) => p.length)];
  };
  const alone = twice(() => {});
  const beside = twice(() => {
    reseed('test b');
    cut(bytes, 'random'); // the shared stream
    cut(bytes, 'random', streamFor('test b')); // another test's own
  });
  expect(beside).toEqual(alone);
  expect(cut(bytes, 'random', streamFor('test b')).map((p) => p.length)).not.toEqual(alone[0]);
});

test('a clean close is FIN, a reset is RST, and reads fail at once with the bytes so far', async () => {
  const port = await serve((socket) => {
    socket.on('data', (chunk) => {
      if (chunk.includes('fin')) socket.end('bye');
      if (chunk.includes('rst')) socket.resetAndDestroy();
    });
  });
  const polite = await connect(port);
  await polite.send('fin');
  const error = await polite.readUntil('\n').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WireError);
  expect((error as WireError).message).toMatch(/closed the connection \(FIN\) after sending 3 bytes/);
  expect(error).toMatchObject({ kind: 'closed', connection: 'fin', bytesReceived: 3, bytesUnread: 3, waitingFor: 'bytes up to "\\n"' });
  expect(polite.state).toBe('fin');

  const rude = await connect(port);
  await rude.send('rst');
  expect(await rude.expectClose()).toBe('rst');
});

test('half-close: after end() the client still reads what the server sends', async () => {
  const port = await serve((socket) => {
    let got = '';
    socket.on('data', (chunk) => (got += chunk));
    socket.on('end', () => socket.end(`you said ${got}`));
  });
  const client = await connect(port);
  await client.send('hi');
  await client.end();
  expect((await client.readToEnd()).toString()).toBe('you said hi');
});

test('waits are bounded, and readUntil gives up past its max', async () => {
  const port = await serve((socket) => socket.write('no newline here, ever'));
  const client = await connect(port);
  const slow = await client.readExactly(100).catch((e: unknown) => e);
  expect((slow as WireError).message).toMatch(/within 0.5 s, received 21 bytes and then nothing/);
  expect(slow).toMatchObject({ kind: 'timeout', timeoutMs: 500, bytesUnread: 21, connection: 'open' });
  expect((slow as WireError).waitedMs).toBeGreaterThanOrEqual(500);
  const client2 = await connect(port);
  const long = await client2.readUntil('\n', { max: 10 }).catch((e: unknown) => e);
  expect((long as WireError).message).toMatch(/Expected "\\n" within 10 bytes/);
  expect(long).toMatchObject({ kind: 'limit', limit: 10 });
});

test('a wait bounded by idleMs lasts while bytes keep coming, and fails after a silence that long', async () => {
  // A byte every 100 ms for 500 ms, then silence, the connection left open.
  const port = await serve((socket) => {
    let sent = 0;
    const timer = setInterval(() => {
      socket.write('x');
      if (++sent === 6) clearInterval(timer);
    }, 100);
    socket.on('close', () => clearInterval(timer));
  });
  const client = await connect(port);
  const stalled = await client.readToEnd({ idleMs: 300 }).catch((e: unknown) => e);
  expect(stalled).toMatchObject({ kind: 'timeout', timeoutMs: 300, bytesUnread: 6, connection: 'open' });
  expect((stalled as WireError).message).toMatch(/received 6 bytes and then nothing for 0.3 s/);
  // About 500 + 300 ms: the bound counts from the last byte, not from the start of the wait.
  expect((stalled as WireError).waitedMs).toBeGreaterThan(600);
});

test('expect compares bytes with a caret, and expectNothingMore catches extra bytes', async () => {
  const port = await serve((socket) => socket.on('data', () => socket.write('Echo: hellp\nextra')));
  const client = await connect(port);
  await client.send('x');
  const wrong = (await client.expect('Echo: hello\n').catch((e: unknown) => e)) as WireError;
  expect(wrong.message).toBe('Expected "Echo: hello\\n", received "Echo: hellp\\n".');
  expect(wrong.kind).toBe('mismatch');
  expect(wrong.comparison?.offset).toBe(10);
  const extra = (await client.expectNothingMore(50).catch((e: unknown) => e)) as WireError;
  expect(extra.message).toBe('Expected nothing more, received 5 bytes: "extra".');
});

test('the transcript records both directions, merged, and the close', async () => {
  const port = await serve((socket) => {
    const parts: Buffer[] = [];
    socket.on('data', (chunk) => parts.push(chunk));
    socket.on('end', () => socket.end(Buffer.concat(parts)));
  });
  const transcript = new Transcript();
  const client = await connect(port, transcript);
  await client.send('ping', { split: 'trickle' });
  await client.end();
  await client.readToEnd();
  const kinds = transcript.events.map((e) => `${e.kind}:${e.size ?? ''}`);
  expect(kinds).toEqual(['connect:', 'send:4', 'half-close:', 'recv:4', 'fin:']);
  expect(transcript.events[1]!.pieces).toBe(4);
});

test('two reads waiting at once are both woken when bytes arrive', async () => {
  let peer!: net.Socket;
  const port = await serve((socket) => (peer = socket));
  const client = await RawClient.connect({ name: 'c1', port, transcript: new Transcript(), timeoutMs: 5000 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const first = client.readExactly(3);
  const second = client.readExactly(3);
  peer.write('abc');
  setTimeout(() => peer.write('def'), 20);
  // Both settle promptly; a wait that missed its wake-up would sit out its 5 s timeout.
  const soon = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1000));
  const got = await Promise.race([Promise.all([first, second]).then((parts) => parts.map(String)), soon]);
  expect(got).toEqual(['abc', 'def']);
});

test('with explain, failures are LessonFailures that keep the fact, the teaching and the comparison', async () => {
  const port = await serve((socket) => socket.on('data', () => socket.write('Echo: hellp\n')));
  const client = await RawClient.connect({ name: 'c1', port, transcript: new Transcript(), timeoutMs: 500, explain: explainWireError });
  await client.send('x');
  const wrong = await client.expect('Echo: hello\n', { why: 'An echo.', spec: 'RFC 862', hint: 'Echo it.' }).catch((e: unknown) => e);
  expect(wrong).toBeInstanceOf(LessonFailure);
  const failure = wrong as LessonFailure;
  expect(failure.message).toBe('Expected "Echo: hello\\n", received "Echo: hellp\\n".');
  expect(failure.learn).toMatchObject({ why: 'An echo.', spec: 'RFC 862', hint: 'Echo it.' });
  expect(failure.learn.comparison?.offset).toBe(10);
  expect(failure.cause).toBeInstanceOf(WireError);
});

test('a refused connection is a WireError of kind refused, and the transcript records it', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const transcript = new Transcript();
  const error = await RawClient.connect({ name: 'c1', port, transcript }).catch((e: unknown) => e);
  expect(error).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED', connection: 'refused', waitingFor: `a connection to 127.0.0.1:${port}` });
  expect(transcript.events.at(-1)).toMatchObject({ kind: 'rst', who: 'c1', text: `could not connect to 127.0.0.1:${port} (ECONNREFUSED)` });
  const taught = explainWireError(error as WireError);
  expect(taught.learn.hint).toMatch(/still listening/);
});

// The raw client against tiny in-process servers: each shape of write arrives as promised, each
// kind of close is told apart, and every wait is bounded with a LessonFailure.

import net from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { LessonFailure } from '../testing/failure.ts';
import { RawClient } from '../wire/client.ts';
import { cut, rng } from '../wire/segmentation.ts';
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
  expect(error).toBeInstanceOf(LessonFailure);
  expect((error as LessonFailure).message).toMatch(/closed the connection \(FIN\) after sending 3 bytes/);
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
  expect((slow as LessonFailure).message).toMatch(/within 0.5 s, received 21 bytes and then nothing/);
  const client2 = await connect(port);
  const long = await client2.readUntil('\n', { max: 10 }).catch((e: unknown) => e);
  expect((long as LessonFailure).message).toMatch(/Expected "\\n" within 10 bytes/);
});

test('expect compares bytes with a caret, and expectNothingMore catches extra bytes', async () => {
  const port = await serve((socket) => socket.on('data', () => socket.write('Echo: hellp\nextra')));
  const client = await connect(port);
  await client.send('x');
  const wrong = (await client.expect('Echo: hello\n').catch((e: unknown) => e)) as LessonFailure;
  expect(wrong.message).toBe('Expected "Echo: hello\\n", received "Echo: hellp\\n".');
  expect(wrong.learn.comparison?.[2]).toContain('^ first difference (byte 10)');
  const extra = (await client.expectNothingMore(50).catch((e: unknown) => e)) as LessonFailure;
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

// Hidden tests for lesson 6, udp, part 1: the echo server, driven with real datagrams. Most basic
// first: the first failure is the one to fix.

import { randomBytes } from 'node:crypto';
import { udpServerTest, check, byteCount, describeBytes, type UdpClient } from '#harness/testing/index.ts';

const test = udpServerTest('udp');

const DGRAM = "Node docs: dgram, socket.on('message') (msg, rinfo) and socket.send(msg, port, address)";
const REPLY_HINT = "In the 'message' handler, socket.send(msg, rinfo.port, rinfo.address): the same bytes, back where they came from.";

/** Receives `count` datagrams and returns their payloads. */
async function receiveAll(client: UdpClient, count: number, why: string): Promise<Buffer[]> {
  const got: Buffer[] = [];
  for (let i = 0; i < count; i++) got.push((await client.receive({ why, spec: DGRAM, hint: REPLY_HINT })).data);
  return got;
}

const sorted = (list: Buffer[]) => list.map((b) => b.toString('hex')).sort();

test('answers each datagram with the same bytes, to whoever sent it', async ({ udp }) => {
  const first = await udp('u1');
  await first.send('hello, datagram');
  await first.expect('hello, datagram', {
    why: 'An echo server sends every datagram back, unchanged, in one datagram.',
    spec: DGRAM,
    hint: REPLY_HINT,
  });
  const second = await udp('u2');
  await second.send('and me?');
  await second.expect('and me?', {
    why: 'UDP has no connections: every datagram says where it came from (rinfo), and its reply goes there. The first client is not special.',
    spec: DGRAM,
    hint: 'Reply to rinfo.address and rinfo.port of this datagram, not to an address you kept from an earlier one.',
  });
  await first.expectNothing(50, { why: "u2's echo went to u1." });
});

test('keeps datagram boundaries, and every byte value', async ({ udp }) => {
  const client = await udp();
  const words = ['one', 'two', 'three'].map((w) => Buffer.from(w));
  for (const word of words) await client.send(word);
  const got = await receiveAll(client, 3, 'Three datagrams in, three datagrams out.');
  check(JSON.stringify(sorted(got)) === JSON.stringify(sorted(words)), {
    message: `Expected the datagrams "one", "two" and "three" back, received ${got.map((d) => describeBytes(d)).join(', ')}.`,
    why: 'Each datagram is a message of its own: sent whole, received whole, never merged with its neighbours or cut. Adding a newline or splitting it changes the message.',
    spec: 'RFC 768 (User Datagram Protocol); Node docs: dgram',
    hint: 'Send back exactly the Buffer you received, as one datagram.',
  });
  await client.expectNothing(60, { why: 'Three datagrams in, three out: nothing more.' });
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await client.send(all);
  await client.expect(all, {
    why: 'A datagram carries bytes, not text. Decoding it as UTF-8 turns every byte that is not valid UTF-8 into U+FFFD (ef bf bd).',
    spec: DGRAM,
    hint: 'Send back the Buffer itself; no toString() on the way.',
  });
});

test('answers an empty datagram and a 60 KiB one', async ({ udp }) => {
  const client = await udp();
  await client.send(Buffer.alloc(0));
  await client.expect(Buffer.alloc(0), {
    why: 'A datagram of 0 bytes is still a datagram: it arrives as an empty Buffer, and its echo is an empty datagram. Code that reads a header from it without checking its length throws.',
    spec: DGRAM,
    hint: 'Echo whatever arrives, even nothing; check msg.length before reading fields from it.',
  });
  const big = randomBytes(60 * 1024);
  await client.send(big);
  await client.expect(big, {
    why: `A datagram can hold up to 65,507 bytes of payload over IPv4; ${byteCount(big.length)} fits, and comes back in one piece.`,
    spec: 'RFC 768; RFC 791 (total length is 16 bits)',
    hint: 'Echo the whole Buffer in one send().',
  });
});

test('answers eight clients at once, each with its own datagrams', async ({ udp }) => {
  const clients = await Promise.all(Array.from({ length: 8 }, (_, i) => udp(`u${i + 1}`)));
  const sent = clients.map((_, i) => Array.from({ length: 5 }, (_, j) => Buffer.from(`client ${i + 1}, datagram ${j + 1}`)));
  for (let j = 0; j < 5; j++) await Promise.all(clients.map((client, i) => client.send(sent[i]![j]!)));
  await Promise.all(
    clients.map(async (client, i) => {
      const got = await receiveAll(client, 5, `u${i + 1} sent 5 datagrams and should get exactly those 5 back.`);
      check(JSON.stringify(sorted(got)) === JSON.stringify(sorted(sent[i]!)), {
        message: `Expected u${i + 1} to get back its own 5 datagrams, received ${got.map((d) => describeBytes(d)).join(', ')}.`,
        why: 'One socket serves every client; what tells them apart is the address and port of each datagram.',
        spec: DGRAM,
        hint: REPLY_HINT,
      });
    }),
  );
});

test('survives a burst of odd datagrams, and still answers', async ({ udp }) => {
  const noisy = await udp('noisy');
  for (let i = 0; i < 100; i++) await noisy.send(randomBytes(i % 10 === 0 ? 0 : (i * 37) % 1500));
  // A client that sends and vanishes: the echo to it bounces (ICMP port unreachable).
  const gone = await udp('gone');
  await gone.send('reply to nobody');
  gone.close();
  const after = await udp('after');
  await after.send('still there?');
  await after.expect('still there?', {
    timeoutMs: 3000,
    why: 'Empty, short and binary datagrams are all datagrams to answer, and none may stop the server. If it ended, its output below shows on which one.',
    spec: DGRAM,
    hint: "Don't read fields from a datagram without checking its length, and keep an 'error' listener on the socket.",
  });
});

test('binds to 127.0.0.1 by default', async ({ server }) => {
  const host = server.program.listening?.host;
  check(host === '127.0.0.1', {
    message: `Expected the server to bind 127.0.0.1, but it bound ${host === '0.0.0.0' || host === '::' ? `${host} (every interface)` : host}.`,
    why: 'A socket bound to every interface can be reached by anyone on your network. Bind to loopback unless told otherwise (the stub has a --host option).',
    spec: 'Node docs: socket.bind(port, address): without an address, it binds every interface',
    hint: 'Pass the host to bind(): socket.bind(port, host).',
  });
});

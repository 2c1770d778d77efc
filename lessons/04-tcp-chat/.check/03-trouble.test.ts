// Hidden tests for lesson 4, tcp-chat, part 3: clients that leave rudely (a reset, in the middle of
// a burst), and lines that never end. Neither may stop the room.

import { serverTest, check, quote, type RawClient } from '#harness/testing/index.ts';
import { emptyRoom, expectGracefulClose, farewell, join, joinAll, PROTOCOL, sleep } from './room.ts';

const test = serverTest('tcp-chat');

const ERROR_EVENT = "Node docs: net.Socket Event 'error'; events: Error events (an 'error' with no listener is thrown)";

test('removes a client that resets the connection, and keeps serving the others', async ({ server }) => {
  await emptyRoom(server);
  const [rex, sal, tom] = await joinAll(server, ['rex', 'sal', 'tom']);
  sal!.reset();
  for (const other of [rex!, tom!]) {
    await other.expect('* sal left\n', {
      why: "A reset (RST) is a leave too: the socket emits 'error' and then 'close', but never 'end'.",
      spec: ERROR_EVENT,
      hint: "Remove the client and announce it in the 'close' handler, which runs however the connection ended; give the socket an 'error' listener.",
    });
  }
  // Clients that vanish while lines are on their way to them: the server's writes to them fail.
  const rude = [];
  for (let i = 1; i <= 4; i++) {
    rude.push(await join(server, `rude${i}`));
    await rex!.readUntil('joined\n', { max: 256 });
    await tom!.readUntil('joined\n', { max: 256 });
  }
  const chatter = Array.from({ length: 200 }, (_, i) => `line ${i} ${'~'.repeat(200)}\n`);
  const sending = rex!.send(chatter);
  for (const r of rude) r.reset();
  await sending;
  await sleep(50);
  await rex!.send('still there, tom?\n');
  const seen = await tom!.readUntil('rex: still there, tom?\n', {
    max: 4 * 1024 * 1024,
    why: "A client that vanished must not stop the room. Writes to it fail with EPIPE or ECONNRESET as an 'error' event, which is thrown if nothing listens; and it will never emit 'drain', so nothing may wait for one.",
    spec: ERROR_EVENT,
    hint: "Give every socket an 'error' listener, skip sockets that are no longer writable, and never wait on one recipient.",
  });
  // The resets came first, so their leaves almost always precede rex's line; but the server may
  // see them in either order, so a leave still on its way gets a moment more.
  let heard = seen.toString();
  for (let i = 1; i <= 4; i++) {
    if (!heard.includes(`* rude${i} left\n`)) heard += (await tom!.readFor(300)).toString();
    check(heard.includes(`* rude${i} left\n`), {
      message: `Expected tom to be told "* rude${i} left", but it was not.`,
      why: 'A client that resets has left the room like any other.',
      spec: PROTOCOL,
      hint: "Announce leaves from 'close', not from 'end': a reset never emits 'end'.",
    });
  }
  await farewell([rex!, tom!]);
});

const LIMIT = 4096;
const LIMIT_SPEC = `${PROTOCOL} (a line longer than 4096 bytes); lesson 3 (line-protocol), "a limit for every buffer"`;

/** Reads the refused client's error line; fails unless it starts "* error: ". */
async function expectErrorLine(client: RawClient, why: string, hint: string): Promise<void> {
  const line = await client.readUntil('\n', { max: 1024, why, spec: LIMIT_SPEC, hint });
  check(line.toString().startsWith('* error: '), {
    message: `Expected an error line starting "* error: ", received ${quote(line.subarray(0, 80))}.`,
    why,
    spec: LIMIT_SPEC,
    hint,
  });
}

/** What the other client may hear of a refused one: that it left, and nothing of its line. */
async function expectNothingOfRefusedLine(other: RawClient, refused: string): Promise<void> {
  const heard = (await other.readFor(150)).toString();
  check(heard === '' || heard === `* ${refused} left\n`, {
    message: `Expected ${other.name} to hear nothing of the refused line (at most "* ${refused} left"), received ${quote(heard.slice(0, 80))}.`,
    why: 'A line that broke the limit is refused whole; no part of it reaches the room.',
    spec: LIMIT_SPEC,
    hint: 'Check the limit before a line is forwarded.',
  });
}

test(`forwards a line of exactly ${LIMIT} bytes, even when its "\\r" and "\\n" arrive apart`, async ({ server }) => {
  await emptyRoom(server);
  const [abe, bo] = await joinAll(server, ['abe', 'bo']);
  const text = 'w'.repeat(LIMIT);
  await abe!.send(`${text}\r\n`, { split: [LIMIT + 1], gapMs: 100 });
  await bo!.expect(`abe: ${text}\n`, {
    why: `The limit counts the line, not its ending: ${LIMIT} bytes and "\\r\\n" is a line at the limit. While the "\\n" is on its way, ${LIMIT} bytes and a "\\r" may still be exactly that.`,
    spec: LIMIT_SPEC,
    hint: `Without a newline yet, refuse only when more than ${LIMIT} + 1 bytes wait; a complete line is too long when, without its "\\r", it has more than ${LIMIT}.`,
  });
  await farewell([abe!, bo!]);
});

test(`refuses a line of ${LIMIT + 1} bytes, even when its newline comes with it`, async ({ server }) => {
  await emptyRoom(server);
  const [ed, flo] = await joinAll(server, ['ed', 'flo']);
  await ed!.send(`${'v'.repeat(LIMIT + 1)}\n`);
  await expectErrorLine(
    ed!,
    `A line of ${LIMIT + 1} bytes is too long whether its newline came with it or not. A check that only looks at the bytes waiting without a newline lets it through.`,
    `Measure each complete line too (without its "\\r"): longer than ${LIMIT}, refuse it instead of forwarding it.`,
  );
  await expectGracefulClose(ed!, 'the error line');
  await expectNothingOfRefusedLine(flo!, 'ed');
  await farewell([flo!]);
});

test(`refuses ${LIMIT + 2} bytes without a newline, however small the pieces`, async ({ server }) => {
  await emptyRoom(server);
  const [gus, hana] = await joinAll(server, ['gus', 'hana']);
  await gus!.send('u'.repeat(LIMIT + 2), { split: Array.from({ length: 8 }, () => 512), gapMs: 5 });
  await expectErrorLine(
    gus!,
    `${LIMIT + 2} bytes without a newline can no longer become a line of ${LIMIT} bytes and a "\\r". Small pieces add up: the limit is on what waits in pending, not on one chunk.`,
    'Check pending.length after appending each chunk, not chunk.length.',
  );
  await expectNothingOfRefusedLine(hana!, 'gus');
  await farewell([hana!]);
});

test('ends the connection of a client whose line passes 4 KiB without a newline', async ({ server }) => {
  await emptyRoom(server);
  const [uma, vic] = await joinAll(server, ['uma', 'vic']);
  await uma!.send('x'.repeat(8 * 1024));
  const rest = await uma!.readToEnd({
    timeoutMs: 3000,
    why: 'Every byte of an unfinished line waits in server memory. Without a limit, one client sending bytes and never a newline fills it.',
    spec: `${PROTOCOL}; lesson 3 (line-protocol), "a limit for every buffer"`,
    hint: 'When the bytes after the last newline pass 4096, write `* error: …\\n` and end() the socket.',
  });
  check(rest.toString().startsWith('* error: '), {
    message: `Expected an error line starting "* error: " before the close, received ${quote(rest.subarray(0, 80))}.`,
    why: 'Say why before closing: a client left guessing retries the same thing.',
    spec: PROTOCOL,
    hint: 'socket.end(`* error: line too long\\n`) writes the line, then FIN.',
  });
  check(uma!.state === 'fin', {
    message: `Expected the server to close uma's connection with FIN, but it was ${uma!.state === 'rst' ? 'reset (RST)' : uma!.state}.`,
    why: "A close with the client's bytes unread is a reset, and a reset can wipe out the error line before the client reads it.",
    spec: 'RFC 1122 §4.2.2.13; lesson 3 (line-protocol), "Closing gracefully"',
    hint: 'Refuse with socket.end(errorLine), not destroy(), and drop what the client still sends.',
  });
  // vic may hear that uma left (the server closed it), but no part of the refused line.
  await expectNothingOfRefusedLine(vic!, 'uma');
  await farewell([vic!]);
});

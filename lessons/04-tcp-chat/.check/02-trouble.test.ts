// Hidden tests for lesson 4, tcp-chat, part 2: clients that leave, politely or not, lines that
// never end, and a client that stops reading while the room is busy. It must not hold the others
// back, cost the server unbounded memory, or stay forever.

import { serverTest, check, quote, byteCount, LessonFailure, type RawClient } from '#harness/testing/index.ts';
import { emptyRoom, expectGracefulClose, farewell, join, joinAll, PROTOCOL, sleep } from './room.ts';
import { flood, FLOOD, FLOOD_LINES, FLOOD_PREFIX, MiB, Reader } from './flood.ts';

const test = serverTest('tcp-chat');

const ERROR_EVENT = "Node docs: net.Socket Event 'error'; events: Error events (an 'error' with no listener is thrown)";

const BACKPRESSURE = 'Node docs: writable.writableLength, writable.write() return value and \'drain\'; "Backpressuring in Streams"';

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

test('a client that stops reading does not hold the room back, and is dropped', async ({ server }) => {
  await emptyRoom(server);
  // early joined before slow and watcher after it, so the fan-out meets slow between them.
  const [early, slow, flooder, watcher] = await joinAll(server, ['early', 'slow', 'flooder', 'watcher']);
  slow!.pauseReading();
  const before = await server.stats();

  // The flood: 32 MiB of lines from one client. The server must keep reading them, and early and
  // watcher keep hearing them, although one of the clients they go to reads nothing.
  const TALK = 'talker: is anyone still here?\n';
  const listeners = [early!, watcher!].map((client) => new Reader(client, ['* slow left\n', TALK]));
  const flooded = await flood(flooder!, listeners);
  check(flooded !== 'server stopped reading', {
    message: `Expected the server to keep taking flooder's lines, but it stopped reading them after ${byteCount(flooder!.socket.bytesWritten - flooder!.socket.writableLength)} of ${byteCount(FLOOD)}.`,
    why: "slow reads nothing, so writes to it back up. Waiting for slow's 'drain' before reading more from anyone lets one stalled client freeze the whole room.",
    spec: BACKPRESSURE,
    hint: 'Never pause a sender (or await a write) because of one recipient. Write to each client without waiting, and drop a client whose socket.writableLength grows past a limit.',
  });
  for (const listener of listeners) {
    const heardAll = flooded === 'sent' && (await listener.waitForLine(FLOOD_LINES, 5000));
    check(listener.disorder === undefined, {
      message: `Expected ${listener.client.name} to hear every line of flooder's once, in order, but it heard ${listener.disorder}.`,
      why: `Dropping slow must not cost anybody else a line. A fan-out loop that stops (return, break, a throw) when it meets a dropped client skips everyone after it in the room${listener.client.name === 'watcher' ? ', and watcher joined after slow' : ''}.`,
      spec: PROTOCOL,
      hint: "After dropping a client, go on to the next recipient: deliver() drops, broadcast() never stops early. A destroyed socket is skipped by the writable check until 'close' takes it out of the room.",
    });
    check(heardAll, {
      message: `Expected ${listener.client.name} to receive flooder's lines up to the last one (${FLOOD_LINES}), received up to line ${listener.lastLine} and then nothing.`,
      why: 'Every other client must keep hearing the room while slow is stalled. A broadcast loop that awaits each write in turn stops at slow, and everyone after it waits too.',
      spec: BACKPRESSURE,
      hint: 'Write to each recipient and move on; never await a write inside the fan-out loop.',
    });
  }

  // Growth in heap and Buffers. Garbage the server has not collected yet is not held memory, so a
  // high reading is taken again a few times, and the least one counts.
  let least = Infinity;
  for (let i = 0; i < 4 && least >= 24 * MiB; i++) {
    if (i > 0) await sleep(100);
    const after = await server.stats();
    if (!before || !after) break;
    least = Math.min(least, after.heapUsed + after.external - (before.heapUsed + before.external));
  }
  check(least < 24 * MiB, {
    message: `Expected the server's memory to stay bounded, but it grew by ${byteCount(Math.max(0, least))} while slow was not reading.`,
    why: "socket.write() never refuses: what the kernel cannot take waits in the socket's memory. For a client that reads nothing that queue grows by every line the room says.",
    spec: BACKPRESSURE,
    hint: 'After each write, look at socket.writableLength; past a limit (1 MiB, say) destroy() that socket.',
  });

  for (const reader of listeners) {
    check(await reader.waitFor('* slow left\n', 3000), {
      message: `Expected ${reader.client.name} to be told "* slow left" once slow was dropped, received no such line.`,
      why: 'A client that cannot keep up is dropped, and leaving the room is announced whatever the reason.',
      spec: PROTOCOL,
      hint: "Destroy the socket once too much waits for it; your 'close' handler then removes it and announces the leave.",
    });
  }

  // The room still works, promptly, for a newcomer too.
  const talker = await join(server, 'talker');
  await talker.send(TALK.slice('talker: '.length));
  for (const reader of listeners) {
    check(await reader.waitFor(TALK, 1000), {
      message: `Expected ${reader.client.name} to hear "talker: is anyone still here?" within 1 s, but it did not arrive.`,
      why: 'After the flood the room must be as quick as before.',
      hint: 'Check that nothing in the fan-out waits on a slow client.',
    });
    reader.stop();
  }

  // Every other client heard everything, exactly once: each flood line, slow's leave, talker's join
  // and line (the last thing said, so nothing more is on its way).
  const heard = FLOOD_LINES * (1024 + FLOOD_PREFIX.length) + Buffer.byteLength(`* slow left\n* talker joined\n${TALK}`);
  for (const reader of listeners) {
    check(reader.bytes === heard, {
      message: `Expected ${reader.client.name} to receive exactly ${heard} bytes (${FLOOD_LINES} lines of flooder's, then "* slow left", "* talker joined" and talker's line), received ${reader.bytes}.`,
      why: 'Every client in the room hears every line of the others once, and every notice once, whatever happens to one slow client.',
      spec: PROTOCOL,
      hint: 'Look for a line sent twice, or a notice sent twice or not at all, in what the room says while a client is dropped.',
    });
  }
  await flooder!.expect(`* slow left\n* talker joined\n${TALK}`, {
    why: 'flooder is in the room too: it hears slow leave, talker join and talk, and none of its own lines.',
    spec: PROTOCOL,
    hint: 'Skip only the sender of each line; everything else goes to everyone in the room.',
  });
  await flooder!.expectNothingMore(0, { why: 'flooder hears none of its own lines.', spec: PROTOCOL });

  // slow itself: once it reads again, it finds its connection closed, long before the whole flood.
  slow!.resumeReading();
  let reached = 0;
  try {
    reached = (await slow!.readToEnd({ timeoutMs: 3000 })).length;
  } catch (error) {
    if (!(error instanceof LessonFailure)) throw error;
    throw new LessonFailure({
      message: `Expected slow's connection to be closed by the server, but after it read ${byteCount(slow!.bytesReceived)} the connection was still open.`,
      why: 'Taking a client out of the room is not enough: its socket still holds everything queued for it. destroy() frees it at once; end() would wait to flush it all.',
      spec: 'Node docs: socket.destroy() vs socket.end()',
      hint: 'Drop a slow client with socket.destroy().',
    });
  }
  check(reached < FLOOD / 2, {
    message: `Expected slow to be dropped before the room's ${byteCount(FLOOD)} reached it, but it received ${byteCount(reached)}.`,
    why: 'The server kept everything queued for slow until it read it: that is the unbounded memory a limit is there to prevent.',
    hint: 'Drop the client once socket.writableLength passes your limit.',
  });
});

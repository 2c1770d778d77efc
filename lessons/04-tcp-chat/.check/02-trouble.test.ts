// Hidden tests for lesson 4, tcp-chat, part 2: clients that leave, politely or not, lines that
// never end, and a client that stops reading while the room is busy. It must not hold the others
// back, cost the server unbounded memory, or stay forever.

import { serverTest, check, quote, byteCount, LessonFailure, type RawClient } from '#harness/testing/index.ts';
import { emptyRoom, farewell, join, joinAll, PROTOCOL, sleep } from './room.ts';

const test = serverTest('tcp-chat');

const ERROR_EVENT = "Node docs: net.Socket Event 'error'; events: Error events (an 'error' with no listener is thrown)";

const MiB = 1024 * 1024;
const FLOOD = 32 * MiB;
const BACKPRESSURE = "Node docs: writable.writableLength, writable.write() return value and 'drain'; \"Backpressuring in Streams\"";

/** 32 MiB of 1 KiB lines from one sender; the last line is different so the others can spot the end. */
function floodLines(): Buffer {
  const line = Buffer.from(`${'chatter '.repeat(127)}chatty!\n`); // 1024 bytes
  const lines = Buffer.alloc(FLOOD, line);
  Buffer.from(`${'last line '.repeat(102)}!!!\n`).copy(lines, FLOOD - 1024);
  return lines;
}
const LAST_LINE = `flooder: ${'last line '.repeat(102)}!!!\n`;

/**
 * Reads everything a client receives, as a client that keeps up would, counting the bytes and
 * noting which of `markers` went by, without keeping the data (the room's flood passes through).
 */
class Reader {
  bytes = 0;
  readonly seen = new Set<string>();
  private tail = Buffer.alloc(0);
  private stopped = false;
  private readonly longest: number;

  constructor(
    private readonly client: RawClient,
    private readonly markers: string[],
  ) {
    this.longest = Math.max(...markers.map((m) => Buffer.byteLength(m)));
    void this.loop();
  }

  /** Waits until `marker` went by; false if it did not within `ms` or the connection ended. */
  async waitFor(marker: string, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!this.seen.has(marker) && performance.now() < deadline && this.client.state === 'open') await sleep(5);
    return this.seen.has(marker);
  }

  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.client.state === 'open') {
      const got = await this.client.readFor(5);
      if (got.length === 0) continue;
      this.bytes += got.length;
      const window = Buffer.concat([this.tail, got]);
      for (const marker of this.markers) if (window.includes(marker)) this.seen.add(marker);
      this.tail = window.subarray(Math.max(0, window.length - this.longest));
    }
  }
}

/** How far ahead of watcher the flood may run: a client that keeps up is never further behind. */
const SLICE = 128 * 1024;
const LAG = 512 * 1024;

/**
 * Sends the flood from `flooder` in slices, never more than LAG ahead of what `watcher` has read:
 * the room is busy, but watcher keeps up (a check process sharing two cores with others could not
 * read 32 MiB at full speed, and a server would rightly drop it). slow reads nothing at all.
 * When watcher hears nothing for 3 s, the rest goes out unpaced, to tell a server that stopped
 * reading flooder (its writes stall) from one that reads but stopped passing lines on.
 */
async function flood(flooder: RawClient, watcher: Reader): Promise<'sent' | 'server stopped reading' | 'watcher starved'> {
  const lines = floodLines();
  let paced = true;
  for (let sent = 0; sent < FLOOD; sent += SLICE) {
    const waitUntil = performance.now() + 3000;
    while (paced && sent - watcher.bytes > LAG) {
      if (performance.now() > waitUntil) paced = false;
      else await sleep(2);
    }
    const took = await Promise.race([flooder.send(lines.subarray(sent, sent + SLICE)).then(() => true), sleep(paced ? 5000 : 1500).then(() => false)]);
    if (!took) return 'server stopped reading';
  }
  return paced ? 'sent' : 'watcher starved';
}

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
  // vic may hear that uma left (the server closed it), but no part of the refused line.
  const heard = (await vic!.readFor(150)).toString();
  check(heard === '' || heard === '* uma left\n', {
    message: `Expected vic to hear nothing of the refused line (at most "* uma left"), received ${quote(heard)}.`,
    why: 'A line that broke the limit is refused whole; no part of it reaches the room.',
    spec: PROTOCOL,
    hint: 'Check the limit before anything is forwarded, and forward only complete lines.',
  });
  await farewell([vic!]);
});

test('a client that stops reading does not hold the room back, and is dropped', async ({ server }) => {
  await emptyRoom(server);
  const [slow, flooder, watcher] = await joinAll(server, ['slow', 'flooder', 'watcher']);
  slow!.pauseReading();
  const before = await server.stats();

  // The flood: 32 MiB of lines from one client. The server must keep reading them, and watcher
  // keep hearing them, although one of the clients they go to reads nothing.
  const reader = new Reader(watcher!, [LAST_LINE, '* slow left\n', 'talker: is anyone still here?\n']);
  const flooded = await flood(flooder!, reader);
  check(flooded !== 'server stopped reading', {
    message: `Expected the server to keep taking flooder's lines, but it stopped reading them after ${byteCount(flooder!.socket.bytesWritten - flooder!.socket.writableLength)} of ${byteCount(FLOOD)}.`,
    why: "slow reads nothing, so writes to it back up. Waiting for slow's 'drain' before reading more from anyone lets one stalled client freeze the whole room.",
    spec: BACKPRESSURE,
    hint: 'Never pause a sender (or await a write) because of one recipient. Write to each client without waiting, and drop a client whose socket.writableLength grows past a limit.',
  });
  check(flooded === 'sent' && (await reader.waitFor(LAST_LINE, 5000)), {
    message: `Expected watcher to receive flooder's lines up to the last one, received ${byteCount(reader.bytes)} and then nothing.`,
    why: 'Every other client must keep hearing the room while slow is stalled. A broadcast loop that awaits each write in turn stops at slow, and everyone after it waits too.',
    spec: BACKPRESSURE,
    hint: 'Write to each recipient and move on; never await a write inside the fan-out loop.',
  });

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

  check(await reader.waitFor('* slow left\n', 3000), {
    message: 'Expected watcher to be told "* slow left" once slow was dropped, received no such line.',
    why: 'A client that cannot keep up is dropped, and leaving the room is announced whatever the reason.',
    spec: PROTOCOL,
    hint: "Destroy the socket once too much waits for it; your 'close' handler then removes it and announces the leave.",
  });

  // The room still works, promptly, for a newcomer too.
  const talker = await join(server, 'talker');
  await talker.send('is anyone still here?\n');
  check(await reader.waitFor('talker: is anyone still here?\n', 1000), {
    message: 'Expected watcher to hear "talker: is anyone still here?" within 1 s, but it did not arrive.',
    why: 'After the flood the room must be as quick as before.',
    hint: 'Check that nothing in the fan-out waits on a slow client.',
  });

  reader.stop();

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
      spec: "Node docs: socket.destroy() vs socket.end()",
      hint: 'Drop a slow client with socket.destroy().',
    });
  }
  check(reached < FLOOD / 2, {
    message: `Expected slow to be dropped before the room's ${byteCount(FLOOD)} reached it, but it received ${byteCount(reached)}.`,
    why: 'The server kept everything queued for slow until it read it: that is the unbounded memory a limit is there to prevent.',
    hint: 'Drop the client once socket.writableLength passes your limit.',
  });
});

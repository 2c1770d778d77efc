// Hidden tests for lesson 4, tcp-chat, part 2: a client that stops reading while the room is busy.
// It must not hold the others back, cost the server unbounded memory, or stay forever. A file of its
// own, with a program of its own: the flood is the longest check of the lesson, and it runs beside
// part 1 (on the other worker) instead of after it.

import { serverTest, check, byteCount, LessonFailure } from '#harness/testing/index.ts';
import { emptyRoom, join, joinAll, PROTOCOL, sleep } from './room.ts';
import { flood, FLOOD, FLOOD_LINES, FLOOD_PREFIX, MiB, Reader } from './flood.ts';

const test = serverTest('tcp-chat');

const BACKPRESSURE = 'Node docs: writable.writableLength, writable.write() return value and \'drain\'; "Backpressuring in Streams"';

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

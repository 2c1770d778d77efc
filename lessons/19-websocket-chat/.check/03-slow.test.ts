// Hidden tests for websocket-chat, part 3: a member that stops reading, with the server started as
// `server.ts --port N --max-queue 1048576`. Its queue must not grow without bound, nor hold anyone
// back: it is closed (1008 or 1013) and leaves the room, and the others receive everything in time.

import { serverTest, check, closeBodyOf, decodeFrame, Opcode } from '#harness/testing/index.ts';
import { joinAll, leaveAll, PROTOCOL, type ChatEvent } from './members.ts';

const MAX_QUEUE = 1024 * 1024;
const test = serverTest('websocket-chat', { args: ['--max-queue', String(MAX_QUEUE)] });

/** Messages ann sends before reading them back: a few in flight keep the flood flowing. */
const BATCH = 4;

const SPEC = `${PROTOCOL}; RFC 6455 §7.4.1 (1008 policy violation, 1013 try again later)`;

test('drops a member that stops reading, while the others keep receiving every message in time', { timeout: 60_000 }, async ({ server }) => {
  // slow joins first: whoever sends to the room in join order meets it first.
  const [slow, ann, bob] = await joinAll(server, ['slow', 'ann', 'bob'], 'flood');
  slow!.client.pauseReading();
  const text = 'x'.repeat(128 * 1024);
  let left: ChatEvent | undefined;
  let sent = 0;
  // ann talks, a few messages at a time, each batch waited for by ann and bob: the room is busy,
  // and both keep up. The messages for slow pile up (in the kernel's buffers first, a few MiB on
  // loopback, then in the server); past 1 MiB waiting in the server, slow must go.
  while (!left && sent < 400) {
    const batch = Math.min(BATCH, 400 - sent);
    for (let k = 1; k <= batch; k++) await ann!.say(`${sent + k} ${text}`);
    for (let k = 1; k <= batch; k++) {
      const n = sent + k;
      for (const member of [ann!, bob!]) {
        const event = await member.next({
          timeoutMs: 3000,
          what: `message ${n} for ${member.name}`,
          why: `The room is busy, and slow reads nothing. ${member.name} keeps up, and must receive every message in time: nobody waits for slow.`,
          spec: SPEC,
          hint: "Do not await each member's send in a broadcast: queue the frame for every member and return.",
        });
        if (event.type === 'left') {
          check(event.name === 'slow', { message: `Expected only slow to leave, received ${JSON.stringify(event)}.`, spec: SPEC });
          left = event;
          const again = await member.next({ timeoutMs: 3000, what: `message ${n} for ${member.name}` });
          check(again.type === 'message' && String(again.text).startsWith(`${n} `), {
            message: `Expected message ${n} for ${member.name}, received ${JSON.stringify(again).slice(0, 120)}.`,
            spec: SPEC,
          });
        } else {
          check(event.type === 'message' && String(event.text).startsWith(`${n} `), {
            message: `Expected message ${n} for ${member.name}, received ${JSON.stringify(event).slice(0, 120)}.`,
            why: 'Every message reaches every member that reads, in order.',
            spec: SPEC,
          });
        }
      }
    }
    sent += batch;
  }
  check(left !== undefined, {
    message: `Expected slow to be dropped (a "left" event for it) once more than ${MAX_QUEUE} bytes waited for it, but after ${sent} messages of 128 KiB it is still in the room.`,
    why: 'A member that does not read lets its queue grow with every message; without a bound, the server keeps every byte for it, forever.',
    spec: SPEC,
    hint: 'When a frame would take the bytes waiting for a member (queue + socket.writableLength) over --max-queue, close it with 1008 and take it out of the room.',
  });
  // slow reads again: what the server managed to send, and then the end of the connection.
  slow!.client.resumeReading();
  const rest = await slow!.client.readToEnd({
    timeoutMs: 5000,
    why: 'A member dropped as too slow is disconnected: the server closes the connection (after a close frame, if it can get it out).',
    spec: SPEC,
  });
  let offset = 0;
  let last: { opcode: number; payload: Buffer } | undefined;
  for (let decoded = decodeFrame(rest); decoded; decoded = decodeFrame(rest.subarray(offset))) {
    last = decoded.frame;
    offset += decoded.size;
  }
  if (last?.opcode === Opcode.close) {
    const { code } = closeBodyOf(last as Parameters<typeof closeBodyOf>[0]);
    check(code === 1008 || code === 1013, {
      message: `Expected the close frame for a member dropped as too slow to carry 1008 or 1013, received ${code ?? 'no code'}.`,
      spec: SPEC,
    });
  }
  await ann!.say('after the flood');
  for (const member of [ann!, bob!]) await member.expect({ type: 'message', text: 'after the flood' });
  await leaveAll([ann!, bob!]);
});

// Hidden tests for websocket-chat, part 2: many senders at once. Every member receives every
// message whole, in each sender's order, even when large messages from several members reach a
// member whose socket is backed up (its frames must not interleave), and when a member says
// something on top of a flood of others.

import { serverTest, check } from '#harness/testing/index.ts';
import { joinAll, leaveAll, PROTOCOL, type Member } from './members.ts';

const test = serverTest('websocket-chat');

const ONE_WRITER = "RFC 6455 §5.4 (frames of different messages must not interleave); Node docs: writable.write(), 'drain'";

/** A text of `size` characters that says who sent it and which one it is, all the way through. */
function bulk(from: string, n: number, size: number): string {
  const mark = `<${from}#${n}>`;
  return mark.repeat(Math.ceil(size / mark.length)).slice(0, size);
}

/** Reads until every member in `senders` has been heard `count` times, checking order and bodies. */
async function receiveAll(member: Member, senders: string[], count: number, size: number): Promise<void> {
  const next = new Map(senders.map((s) => [s, 1]));
  for (let i = 0; i < senders.length * count; i++) {
    const event = await member.next({
      timeoutMs: 10_000,
      what: `message ${i + 1} of ${senders.length * count} for ${member.name}`,
      why: 'Every member receives every message of its room, each as one whole frame. Frames written to one socket by two senders at once, a head here and a payload there, become bytes no client can read.',
      spec: ONE_WRITER,
      hint: 'Send every frame of a connection through its queue, and write one frame completely before starting the next.',
    });
    check(event.type === 'message' && typeof event.from === 'string' && next.has(event.from), {
      message: `Expected a "message" event from one of ${senders.join(', ')} for ${member.name}, received ${JSON.stringify(event).slice(0, 200)}.`,
      spec: PROTOCOL,
    });
    const from = event.from as string;
    const n = next.get(from)!;
    check(event.text === bulk(from, n, size), {
      message: `Expected ${member.name} to receive message ${n} of ${from} (${size} characters "<${from}#${n}>…"), received ${typeof event.text === 'string' ? `${event.text.length} characters starting ${JSON.stringify(event.text.slice(0, 40))}` : JSON.stringify(event).slice(0, 120)}.`,
      why: 'Messages from one sender arrive in the order it sent them, each complete.',
      spec: `${PROTOCOL}; ${ONE_WRITER}`,
      hint: 'A queue per connection, drained in order by one writer, keeps both the order and the frames whole.',
    });
    next.set(from, n + 1);
  }
}

// The two tests talk in rooms of their own, and run side by side.
test.concurrent("delivers every message to every member, in each sender's order, when five members talk at once", async ({ server }) => {
  const names = ['ann', 'bob', 'cid', 'dee', 'eve'];
  const members = await joinAll(server, names, 'busy');
  const count = 20;
  await Promise.all(
    members.map(async (member) => {
      for (let n = 1; n <= count; n++) await member.say(bulk(member.name, n, 100));
    }),
  );
  await Promise.all(members.map((member) => receiveAll(member, names, count, 100)));
  await leaveAll(members);
});

test.concurrent('never interleaves frames when large messages from several members reach a backed-up member', { timeout: 60_000 }, async ({ server }) => {
  const senders = ['ann', 'bob', 'cid'];
  const members = await joinAll(server, [...senders, 'dee'], 'large');
  const reader = members[3]!;
  // dee stops reading until the others have received everything, so until the server has
  // handled every message: its writes to dee back up, and frames for dee from three senders wait
  // at the same time.
  reader.client.pauseReading();
  const count = 6;
  const size = 512 * 1024;
  await Promise.all(
    members.slice(0, 3).map(async (member) => {
      for (let n = 1; n <= count; n++) await member.say(bulk(member.name, n, size));
    }),
  );
  await Promise.all(members.slice(0, 3).map((member) => receiveAll(member, senders, count, size)));
  reader.client.resumeReading();
  await receiveAll(reader, senders, count, size);
  await leaveAll(members);
});

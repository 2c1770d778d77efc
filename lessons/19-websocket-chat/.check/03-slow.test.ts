// Hidden tests for websocket-chat, part 3: a member that stops reading, with the server started as
// `server.ts --port N --max-queue 1048576 --close-timeout 250`. Its queue must not grow without bound, nor hold anyone
// back: it is closed (1008 or 1013) and leaves the room, and the others receive everything in time.

import { Duplex } from 'node:stream';
import { serverTest, check, closeBodyOf, decodeFrame, importLessonModule, Opcode } from '#harness/testing/index.ts';
import { joinAll, leaveAll, PROTOCOL, type ChatEvent } from './members.ts';

const MAX_QUEUE = 1024 * 1024;
// slow never answers the close frame it is dropped with: the server lets it go after
// --close-timeout (1 s by default), and the check waits that out. 250 ms is the same rule,
// 750 ms sooner: slow reads again at once, so the close frame still gets out ahead of the timer,
// and a server that never disconnects slow still fails at readToEnd's 5 s bound.
const CLOSE_TIMEOUT = 250;
const test = serverTest('websocket-chat', { args: ['--max-queue', String(MAX_QUEUE), '--close-timeout', String(CLOSE_TIMEOUT)] });

/** Messages ann sends before reading them back: a few in flight keep the flood flowing. */
const BATCH = 4;

const SPEC = `${PROTOCOL}; RFC 6455 §7.4.1 (1008 policy violation, 1013 try again later)`;

/**
 * A socket as a peer that stops reading makes it: write() takes the bytes into its buffer
 * (writableLength) and returns false, and nothing leaves until release(). Nothing is ever read.
 */
class StuckSocket extends Duplex {
  private held: Array<() => void> = [];
  readonly sent: Buffer[] = [];

  constructor() {
    super({ writableHighWaterMark: 1, allowHalfOpen: true });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.sent.push(chunk);
    this.held.push(() => done());
  }

  /** Lets every write through, including those the releases start. */
  async release(): Promise<void> {
    for (let rounds = 0; rounds < 1000 && this.held.length > 0; rounds++) {
      this.held.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

interface QueueModule {
  QueuedWebSocket: new (
    conn: unknown,
    options: { maxMessageBytes: number; closeTimeoutMs: number; maxQueueBytes: number },
  ) => { onOverflow: () => void; send(data: string | Buffer): Promise<void> };
}

const BOUND = 'README "A bound per connection" and "What the bound counts"; Node docs: writable.writableLength';

// The first test runs the queue alone, in the check (no program): it runs beside the flood.
test.concurrent("counts the bytes waiting for a member in its queue and in the socket's buffer, and frees them once sent", async () => {
  const { QueuedWebSocket } = await importLessonModule<QueueModule>('websocket-chat', 'send-queue.ts', ['QueuedWebSocket']);
  const socket = new StuckSocket();
  const conn = { socket, destroy: () => socket.destroy(), end: async () => void socket.end(), read: async () => Buffer.alloc(0), write: async () => {} };
  const max = 1000;
  const queue = new QueuedWebSocket(conn, { maxMessageBytes: 1 << 20, closeTimeoutMs: 60_000, maxQueueBytes: max });
  let overflows = 0;
  queue.onOverflow = () => overflows++;
  // 700 bytes go to the socket and stay in its buffer (the peer reads nothing); 250 and 40 wait in
  // the queue: 990 bytes of payload wait in all, under the bound of 1000 whatever the heads count.
  const steps: Array<[number, number]> = [
    [700, 0],
    [250, 0],
    [40, 0],
    // 1030 bytes would wait now: over the bound.
    [40, 1],
    // After the overflow, no second one.
    [40, 1],
  ];
  const sizes: number[] = [];
  for (const [size, want] of steps) {
    void queue.send(Buffer.alloc(size, 0x61));
    sizes.push(size);
    check(overflows === want, {
      message: `Expected ${want === 0 ? 'no call' : 'exactly one call'} of onOverflow (maxQueueBytes ${max}) after messages of ${sizes.join(', ')} bytes to a peer that reads nothing, received ${overflows}.`,
      why:
        want === 0
          ? 'The bound is on the bytes waiting for this peer, and these are under it: the member must stay.'
          : overflows === 0
            ? "The first 700-byte frame left the queue for the socket, but the peer has not read it: it still waits, in the socket's buffer (socket.writableLength). Counted with the queue, more than 1000 bytes wait now. A bound on the queue alone lets the socket's buffer grow without end."
            : 'onOverflow runs once: the member is dropped once, and leaves the room once.',
      spec: BOUND,
      hint: 'Before queueing a frame (not a close): this.waitingBytes (queuedBytes + conn.socket.writableLength) + payload.length > maxQueueBytes → overflow(), once.',
    });
  }
  // The peer reads again: what was written goes out, and the last frame is the close.
  await socket.release();
  const wire = Buffer.concat(socket.sent);
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  for (let offset = 0, decoded = decodeFrame(wire); decoded; decoded = decodeFrame(wire.subarray(offset))) {
    frames.push(decoded.frame);
    offset += decoded.size;
  }
  const last = frames.at(-1);
  const code = last?.opcode === Opcode.close ? closeBodyOf(last as Parameters<typeof closeBodyOf>[0]).code : undefined;
  check(frames[0]?.payload.length === 700 && (code === 1008 || code === 1013), {
    message: `Expected the frames written to be the 700-byte message first and a close frame 1008 (or 1013) last, received ${frames.map((f) => `opcode ${f.opcode} (${f.payload.length} bytes)`).join(', ') || 'nothing'}.`,
    why: 'A member dropped as too slow is told why, in a close frame, behind the frame being written (never in the middle of it), if it ever reads again.',
    spec: `${BOUND}; RFC 6455 §7.4.1 (1008 policy violation, 1013 try again later)`,
    hint: 'overflow(): drop what is queued, call onOverflow(), and void this.close(1008, why): the close is queued even past the bound.',
  });
  socket.destroy();

  // A peer that reads at once: nothing waits for long, and 50 × 100 bytes must never overflow a
  // bound of 1000 (the bytes waiting go back down as frames are sent).
  const reader = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
  const fast = new QueuedWebSocket(
    { socket: reader, destroy: () => reader.destroy(), end: async () => void reader.end(), read: async () => Buffer.alloc(0), write: async () => {} },
    { maxMessageBytes: 1 << 20, closeTimeoutMs: 60_000, maxQueueBytes: max },
  );
  let fastOverflows = 0;
  fast.onOverflow = () => fastOverflows++;
  for (let n = 1; n <= 50; n++) await fast.send(Buffer.alloc(100, 0x62));
  check(fastOverflows === 0, {
    message: `Expected no overflow for a peer that reads everything (50 frames of 100 bytes, each sent before the next, --max-queue ${max}), received ${fastOverflows}.`,
    why: 'The bound counts bytes waiting now, not bytes ever sent: once a frame is written, its bytes no longer wait.',
    spec: BOUND,
    hint: "In drain(): subtract each frame's bytes from queuedBytes when it leaves the queue.",
  });
  reader.destroy();
});

test.concurrent('drops a member that stops reading, while the others keep receiving every message in time', { timeout: 60_000 }, async ({ server }) => {
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

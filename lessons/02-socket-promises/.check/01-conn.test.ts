// Hidden tests for lesson 2, part 1: the Conn class of socket.ts, driven over a real loopback
// connection whose other end (`peer`) is the check. Each test has connections of its own and no
// program behind them (the learner's Conn runs in this process, and counts nothing), so they all
// run at once (test.concurrent): the file takes as long as its longest test, not their sum. A
// failure is still reported in the order they are written.

import { pairTest as test, importLessonModule, check, quote, byteCount, LessonFailure } from '#harness/testing/index.ts';
import type net from 'node:net';

interface ConnLike {
  read(): Promise<Buffer>;
  write(data: Buffer | string): Promise<void>;
  end(): Promise<void>;
  destroy(): void;
}
type Lesson = { Conn: new (socket: net.Socket) => ConnLike };

const load = () => importLessonModule<Lesson>('socket-promises', 'socket.ts', ['Conn']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects after `ms`: a read that never settles must fail the check, not hang it. */
function within<T>(promise: Promise<T>, ms: number, what: string, hint: string): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new LessonFailure({ message: `Expected ${what} within ${ms} ms, but it never settled.`, hint });
    }),
  ]);
}

/** Reads until `n` bytes came (or EOF), the way a caller of read() would. */
async function readBytes(conn: ConnLike, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const data = await within(conn.read(), 2000, 'read() to resolve', "Resolve the waiting read from the socket's 'data' event.");
    if (data.length === 0) break;
    parts.push(data);
    size += data.length;
  }
  return Buffer.concat(parts);
}

test.concurrent('read() resolves with bytes that arrived before it was called', async ({ pair }) => {
  const { Conn } = await load();
  const { peer, socket } = await pair();
  const conn = new Conn(socket);
  await peer.send('early bytes\n');
  await sleep(50); // they are here before anybody reads
  const got = await readBytes(conn, 12);
  check(got.toString() === 'early bytes\n', {
    message: `Expected read() to return ${quote('early bytes\n')}, received ${quote(got)}.`,
    expected: 'early bytes\n',
    received: got,
    why: "A 'data' event with no read waiting must not drop its bytes. Either keep the socket paused until a read, or keep the chunk for the next read.",
    hint: "Attach the 'data' listener once, in the constructor, and pause() right after: a paused socket holds its bytes.",
  });
});

test.concurrent('read() returns every byte value unchanged, however the bytes are cut', async ({ pair }) => {
  const { Conn } = await load();
  const { peer, socket } = await pair();
  const conn = new Conn(socket);
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await peer.send(all, { split: 'trickle' });
  const got = await readBytes(conn, all.length);
  check(got.equals(all), {
    message: `Expected read() to return the 256 byte values unchanged, received ${byteCount(got.length)} that differ.`,
    expected: all,
    received: got,
    why: 'A socket carries bytes, not text. setEncoding() or toString() on the way turns every byte that is not valid UTF-8 into U+FFFD (ef bf bd), and Buffer.from() cannot undo it.',
    spec: "Node docs: readable.setEncoding(); net.Socket Event 'data'",
    hint: "Resolve read() with the Buffer the 'data' event gave you; no setEncoding(), no toString().",
  });
});

test.concurrent('read() resolves with an empty Buffer at EOF, and again after that', async ({ pair }) => {
  const { Conn } = await load();
  const { peer, socket } = await pair();
  const conn = new Conn(socket);
  await peer.send('last words');
  await peer.end();
  const got = await readBytes(conn, 10);
  check(got.toString() === 'last words', { message: `Expected ${quote('last words')}, received ${quote(got)}.`, expected: 'last words', received: got });
  for (const attempt of ['first', 'second']) {
    const eof = await within(
      conn.read(),
      2000,
      `the ${attempt} read() after FIN to resolve`,
      "Remember the 'end' event: once ended, read() resolves at once with Buffer.alloc(0).",
    );
    check(eof.length === 0, {
      message: `Expected the ${attempt} read() after FIN to return an empty Buffer, received ${byteCount(eof.length)}.`,
      why: 'An empty read is how a byte-stream API says end of file: the peer will send nothing more.',
    });
  }
});

test.concurrent('read() rejects when the connection is reset, even if the reset came first', async ({ pair }) => {
  const { Conn } = await load();
  const first = await pair();
  const waiting = new Conn(first.socket).read();
  first.peer.reset();
  const outcome = await within(
    waiting.then(
      () => 'resolved',
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    ),
    2000,
    'the waiting read() to settle after a reset',
    "Reject the waiting read from the socket's 'error' event.",
  );
  check(outcome !== 'resolved', {
    message: 'Expected the waiting read() to reject after the connection was reset, but it resolved.',
    hint: "In the 'error' listener, reject the pending read.",
  });

  const second = await pair();
  const conn = new Conn(second.socket);
  second.peer.reset();
  await sleep(50);
  const later = await within(
    conn.read().then(
      () => 'resolved',
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    ),
    2000,
    'a read() after a reset to settle',
    'Keep the error and reject the next read with it.',
  );
  check(later !== 'resolved', {
    message: 'Expected read() to reject because the connection was reset before it was called, but it resolved.',
    why: 'An error that happens while nobody reads must not be lost: keep it for the next read.',
    hint: "Store the error from the 'error' event; read() rejects with it.",
  });
  const again = await within(
    conn.read().then(
      (data) => (data.length === 0 ? 'an empty Buffer (EOF)' : `${byteCount(data.length)}`),
      () => 'rejected',
    ),
    2000,
    'a second read() after a reset to settle',
    'Keep the error: every later read() rejects with it.',
  );
  check(again === 'rejected', {
    message: `Expected a second read() after the reset to reject as well, received ${again}.`,
    why: 'A reset is final: the first error is kept, and every later read() and write() rejects with it. Reporting EOF after it would tell the caller the peer finished cleanly, which it did not.',
    spec: 'lessons/02-socket-promises/README.md, "Decisions you make" (what a failure looks like)',
    hint: "Don't clear the kept error when a read rejects with it; check it before the ended flag in read().",
  });
});

test.concurrent('read() settles after this side destroyed the connection', async ({ pair }) => {
  const { Conn } = await load();
  const { socket } = await pair();
  const conn = new Conn(socket);
  conn.destroy();
  const describe = (data: Buffer) => (data.length === 0 ? 'eof' : `${byteCount(data.length)}`);
  const hint =
    "A socket destroyed without an error emits only 'close'. Remember it as the end of the stream (set the ended flag there), so that a read() called afterwards settles at once.";
  const right = await within(
    conn.read().then(describe, () => 'rejected'),
    1000,
    'a read() called right after destroy() to settle',
    hint,
  );
  check(right === 'eof' || right === 'rejected', { message: `Expected a read() after destroy() to end (an empty Buffer) or reject, received ${right}.` });
  if (!socket.closed)
    await within(
      new Promise((resolve) => socket.once('close', resolve)),
      1000,
      "the socket to emit 'close' after destroy()",
      'conn.destroy() should call socket.destroy().',
    );
  const later = await within(
    conn.read().then(describe, () => 'rejected'),
    1000,
    "a read() called after the socket's 'close' to settle",
    hint,
  );
  check(later === 'eof' || later === 'rejected', {
    message: `Expected a read() after the socket closed to end (an empty Buffer) or reject, received ${later}.`,
    why: 'Nothing can arrive on a destroyed socket, and nothing will ever emit an event for it again: a read() that waits now waits forever, and so does the loop that called it.',
    spec: 'lessons/02-socket-promises/README.md, "From events to promises" (\'close\')',
    hint,
  });
});

test.concurrent('read() settles when the socket is destroyed while it waits', async ({ pair }) => {
  const { Conn } = await load();
  const { socket } = await pair();
  const conn = new Conn(socket);
  const waiting = conn.read();
  socket.destroy(); // no error: a timeout or the program itself closed it
  const outcome = await within(
    waiting.then(
      (data) => (data.length === 0 ? 'eof' : 'data'),
      () => 'rejected',
    ),
    1000,
    'the waiting read() to settle after the socket was destroyed',
    "Listen for 'close' too: a socket destroyed without an error emits no 'end' and no 'error'.",
  );
  check(outcome !== 'data', { message: 'Expected the waiting read() to end (an empty Buffer) once the socket was destroyed, but it returned data.' });
});

test.concurrent('a second read() while one is waiting is rejected, and the first still gets the data', async ({ pair }) => {
  const { Conn } = await load();
  const { peer, socket } = await pair();
  const conn = new Conn(socket);
  const first = conn.read();
  const second = await within(
    conn.read().then(
      () => 'resolved',
      () => 'rejected',
    ),
    500,
    'the second read() to reject',
    'If a read is already waiting, reject at once.',
  );
  check(second === 'rejected', {
    message: 'Expected a second read() to reject while the first was waiting, but it resolved.',
    why: 'Two waiting reads cannot both get the next bytes; which one should? Refusing the second keeps the order of the stream clear.',
    hint: "In read(), if a reader is already waiting, reject with an Error('concurrent read').",
  });
  await peer.send('for the first');
  const got = await within(first, 2000, 'the first read() to resolve', 'The second read must not replace the first one.');
  check(got.toString() === 'for the first', {
    message: `Expected the first read() to get ${quote('for the first')}, received ${quote(got)}.`,
    expected: 'for the first',
    received: got,
  });
});

test.concurrent('write() resolves once the bytes are sent, and rejects on a reset connection', async ({ pair }) => {
  const { Conn } = await load();
  const { peer, socket } = await pair();
  const conn = new Conn(socket);
  await within(conn.write('out it goes\n'), 2000, 'write() to resolve', 'Pass a callback to socket.write(data, callback) and resolve in it.');
  await peer.expect('out it goes\n');
  peer.reset();
  await sleep(50);
  const outcome = await within(
    (async () => {
      // The first write after a reset may still be taken by the OS; the next ones fail.
      for (let i = 0; i < 3; i++) await conn.write('into the void\n');
      return 'resolved';
    })().catch(() => 'rejected'),
    2000,
    'write() on a reset connection to settle',
    "Reject when socket.write's callback gets an error.",
  );
  check(outcome === 'rejected', {
    message: 'Expected write() to reject once the peer had reset the connection, but every write resolved.',
    hint: 'socket.write(data, (error) => error ? reject(error) : resolve()).',
  });
});

test.concurrent('the socket is paused between reads', async ({ pair }) => {
  const { Conn } = await load();
  const { peer, socket } = await pair();
  const conn = new Conn(socket);
  await peer.send('go');
  await readBytes(conn, 2);
  // Nobody reads now. The peer sends a lot; it should pile up in the kernel, not in our process.
  // The flood ends once the peer is held back for 300 ms, or once all 16 MiB went.
  await peer.flood(Buffer.alloc(64 * 1024, 0x61), 16 * 1024 * 1024, 300);
  check(socket.bytesRead < 2 * 1024 * 1024, {
    message: `Expected the socket to take at most 2 MiB while nobody reads, but it read ${byteCount(socket.bytesRead)}.`,
    why: "A flowing socket reads everything the peer sends into memory, whether anyone wants it or not. Paused, it leaves the bytes in the kernel, whose full buffer tells the sender (through TCP's window) to wait.",
    spec: "Node docs: readable.pause(), and 'Two reading modes' in the stream docs",
    hint: "pause() in the 'data' handler, resume() in read().",
  });
});

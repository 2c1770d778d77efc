// Hidden tests for lesson 2, part 2: the echo server built on Conn, over real TCP.

import { randomBytes } from 'node:crypto';
import { serverTest, check, byteCount } from '#harness/testing/index.ts';

const test = serverTest('socket-promises');

// The first two tests talk to the server on connections of their own and count nothing of it, so
// they run at once (test.concurrent). The last two count the server's sockets and memory: they run
// alone, after them.

test.concurrent('the async echo loop echoes text, binary and random splits', async ({ server }) => {
  const client = await server.connect();
  await client.send('hello, loop\n');
  await client.expect('hello, loop\n', { hint: 'Loop: read(), stop on an empty Buffer, write() what you read.' });
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await client.send(all, { split: 'random' });
  await client.expect(all, { why: 'Bytes are echoed as Buffers, untouched.' });
});

test.concurrent('after the client half-closes, echoes the rest and ends', async ({ server }) => {
  const data = randomBytes(512 * 1024);
  const client = await server.connect();
  await client.send(data);
  await client.end();
  const back = await client.readToEnd({ timeoutMs: 4000, hint: 'When read() returns an empty Buffer, leave the loop and await conn.end().' });
  check(back.equals(data), {
    message: `Expected the whole echo (${byteCount(data.length)}) before the close, received ${byteCount(back.length)}.`,
    expected: data,
    received: back,
  });
});

test('survives clients that reset the connection, and keeps serving', async ({ server }) => {
  const teaching = {
    why: "A reset makes conn.read() or conn.write() reject, and so the loop's promise rejects. A rejected promise nobody handles ends a Node process (unhandled rejection), and every other client with it.",
    spec: "Node docs: process, Event 'unhandledRejection' (--unhandled-rejections=throw is the default)",
    hint: 'Call the loop as serveClient(conn).catch((error) => { log it; conn.destroy(); }).',
  };
  // Its open sockets; undefined once it exited.
  const sockets = async () => {
    const stats = await Promise.race([server.stats(), server.program.exited.then(() => undefined)]);
    return stats && (stats.resources.TCPSocketWrap ?? 0);
  };
  const before = (await sockets()) ?? 0;
  for (let i = 0; i < 5; i++) {
    const rude = await server.connect(`rude${i + 1}`);
    // Bytes, and their echo back before the reset: the server has read everything and waits in
    // read() when the RST lands, so read() rejects with ECONNRESET. (A reset that lands while
    // bytes are still unread can be reported to the program as a plain EOF, by libuv, and a
    // program that does not handle the rejection would then go uncaught.)
    const bytes = randomBytes(16 * 1024);
    await rude.send(bytes);
    await rude.expect(bytes);
    rude.reset();
  }
  // The server has seen every reset once it holds no more sockets than before them, or when it
  // stops answering (it exited): an event, not a guess at how long that takes on a busy machine.
  const deadline = performance.now() + 2000;
  for (let open = await sockets(); open !== undefined && open > before && performance.now() < deadline; open = await sockets()) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // A process dying of the rejection is gone, or about to be: let its exit be seen.
  await server.program.settle();
  check(!server.program.exit, {
    message: `Expected your server to keep running after clients reset their connections, but it ${server.program.describeExit()}.`,
    ...teaching,
  });
  const client = await server.connect('after');
  await client.send('still there?\n');
  await client.expect('still there?\n', { hint: 'Catch the error of each connection on its own; the others go on.' });
});

test('a client that sends 256 MiB without reading is held back', async ({ server }) => {
  const before = await server.stats();
  const client = await server.connect();
  const accepted = await client.flood(Buffer.alloc(256 * 1024, 0x62), 256 * 1024 * 1024, 400);
  const after = await server.stats();
  const growth = before && after ? after.rss - before.rss : 0;
  check(accepted < 64 * 1024 * 1024, {
    message: `Expected the server to stop taking bytes once its echo backed up, but it accepted ${byteCount(accepted)} from a client that never read.`,
    why: 'The loop must not read again until its write is flushed. Then a client that does not read fills the kernel buffers, and TCP makes it wait: memory stays bounded.',
    spec: "Node docs: writable.write() return value and the 'drain' event; Backpressuring in Streams",
    hint: "Await conn.write(data) before the next conn.read(), and resolve write() only in socket.write's callback.",
  });
  check(growth < 64 * 1024 * 1024, {
    message: `Expected the server's memory to stay bounded, but it grew by ${byteCount(growth)} while the client flooded it.`,
    hint: 'Something is holding the data: a queue of unread chunks, or writes nobody waits for.',
  });
  client.destroy();
  // Still serving others afterwards.
  const other = await server.connect('other');
  await other.send('still here\n');
  await other.expect('still here\n');
});

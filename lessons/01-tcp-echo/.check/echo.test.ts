// Hidden tests for lesson 1, tcp-echo. They run in order, most basic first: the first failure is
// the one to fix.

import { randomBytes } from 'node:crypto';
import { serverTest, check, byteCount, checkNoLeakedSockets } from '#harness/testing/index.ts';

const test = serverTest('tcp-echo');

const STREAM = "Node's net.Socket docs: Event 'data'";

/** `size` bytes of a pattern that never repeats within 251 bytes: cheap, and a shifted byte shows. */
function pattern(size: number): Buffer {
  return Buffer.alloc(size, Buffer.from(Array.from({ length: 251 }, (_, i) => i)));
}

/**
 * What the half-close test sends: so much that the server still has echo queued in its own memory
 * when our FIN arrives, which is what destroy() would throw away. The kernel holds megabytes on the
 * way: our send buffer (data the server has not read yet, with the FIN behind it), the server's
 * send buffer and our receive buffer (echo we have not read); Linux grows the send buffers up to
 * tcp_wmem's maximum, 4 MiB each by default. And once everything is handed to our kernel we read
 * again, so the server's queue drains while the rest of our data and the FIN are still on their
 * way. Twice the 4 MiB buffers (8.25 MiB) was tried: on a loaded machine the queue had drained by
 * the FIN, and a server calling destroy() passed (CI, seed 38501555). 48 MiB leaves tens of MiB.
 */
const HALF_CLOSE_VOLUME = 48 * 1024 * 1024;

test('echoes a line of text, and bytes with no newline at once', async ({ server }) => {
  const client = await server.connect();
  await client.send('hello, echo\n');
  await client.expect('hello, echo\n', {
    why: 'An echo server writes back every byte it receives, unchanged.',
    hint: "Listen for the socket's 'data' event and write the chunk back with socket.write(chunk).",
  });
  await client.send('no newline here');
  await client.expect('no newline here', {
    timeoutMs: 1000,
    why: 'An echo has no messages to wait for: every byte goes back as soon as it arrives. Holding bytes until a newline (or until the client ends) makes a client that sends no newline wait forever.',
    spec: STREAM,
    hint: "Write each chunk back in the 'data' handler itself; don't collect lines or wait for 'end'.",
  });
  await client.send(Buffer.from([0x0a, 0x68, 0x69]));
  await client.expect(Buffer.from([0x0a, 0x68, 0x69]), { timeoutMs: 1000, spec: STREAM, hint: 'Echo what follows a newline at once too.' });
});

test('echoes all 256 byte values unchanged', async ({ server }) => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const client = await server.connect();
  await client.send(all);
  await client.expect(all, {
    why: 'TCP carries bytes, not text. Decoding them as UTF-8 turns every byte over 0x7f that is not part of a valid sequence into U+FFFD (ef bf bd).',
    spec: STREAM,
    hint: 'Write back the Buffer you received. Drop setEncoding() and toString() from the echo path.',
  });
});

test('echoes bytes that arrive in many small pieces, in order', async ({ server }) => {
  const client = await server.connect();
  await client.send('one byte at a time\n', { split: 'trickle' });
  await client.expect('one byte at a time\n', {
    why: "TCP keeps no message boundaries: one client write can be several 'data' events, and several writes one event.",
    spec: STREAM,
    hint: "Keep the connection open and echo every 'data' event, not just the first.",
  });
  const text = Buffer.from('split at random places, then echoed as one stream\n'.repeat(8));
  await client.send(text, { split: 'random' });
  await client.expect(text, { hint: "Echo every 'data' event in the order it arrives." });
});

test('echoes 1 MiB intact', async ({ server }) => {
  const data = randomBytes(1024 * 1024);
  const client = await server.connect();
  await client.send(data);
  await client.expect(data, {
    timeoutMs: 5000,
    why: "A large write reaches the server as many 'data' events; every byte must come back, in order.",
    hint: 'Echo each chunk as it comes; do not wait for "the whole message" — there is no such thing on a byte stream.',
  });
});

test('after the client half-closes, echoes the rest and then closes', async ({ server }) => {
  const data = pattern(HALF_CLOSE_VOLUME);
  const client = await server.connect();
  // Don't read, so that the echo backs up inside the server, and send FIN right behind the data:
  // the server sees 'end' with writes still queued. Read again once everything is sent, or once
  // the server stops taking bytes (a server with backpressure would otherwise wait for us forever).
  client.pauseReading();
  let sent = false;
  const sending = client
    .send(data)
    .then(() => client.end())
    .then(() => (sent = true));
  for (let queued = -1, still = 0; !sent && still < 300;) {
    await Promise.race([sending, new Promise((resolve) => setTimeout(resolve, 50))]);
    const now = client.socket.writableLength;
    still = now === queued ? still + 50 : 0;
    queued = now;
  }
  client.resumeReading();
  await sending;
  // Bounded by progress, not total time: how long the echo takes depends on the machine's load,
  // but a server that still echoes sends bytes every moment.
  const back = await client.readToEnd({
    idleMs: 2000,
    why: 'After the client sends FIN it can still read. The server must finish echoing, then close its side.',
    spec: 'RFC 9293 §3.6 (closing a connection); Node docs: net.createServer allowHalfOpen, socket.end()',
    hint: "In the 'end' handler call socket.end() (not destroy()): it sends FIN after the pending writes.",
  });
  check(back.equals(data), {
    message: `Expected the echo of all ${byteCount(data.length)} before the close, received ${byteCount(back.length)}.`,
    expected: data,
    received: back,
    why: 'socket.destroy() throws away writes still queued; socket.end() flushes them first.',
    hint: "Use socket.end() in the 'end' handler.",
  });
  check(client.state === 'fin', {
    message: `Expected the server to close with FIN, but the connection was ${client.state === 'rst' ? 'reset (RST)' : client.state}.`,
    hint: 'End the socket gracefully with socket.end().',
  });
});

test('keeps each of 50 concurrent clients to its own bytes', async ({ server }) => {
  const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => server.connect(`c${i + 1}`)));
  const payloads = clients.map((client, i) => Buffer.from(`client ${i + 1} says: ${'x'.repeat(i * 40)}\n`));
  await Promise.all(clients.map((client, i) => client.send(payloads[i]!, { split: 'random' })));
  await Promise.all(
    clients.map((client, i) =>
      client.expect(payloads[i]!, {
        why: 'Each connection is its own byte stream: an echo goes back on the socket it came from, to nobody else.',
        hint: 'Write to the socket your handler was given. Keep no buffers or sockets shared between connections.',
      }),
    ),
  );
  for (const client of clients) await client.expectNothingMore(0, { why: 'Bytes from other clients leaked into this one.' });
});

test('survives clients that reset the connection', async ({ server }) => {
  for (let i = 0; i < 5; i++) {
    const rude = await server.connect(`rude${i + 1}`);
    await rude.send(randomBytes(256 * 1024));
    rude.reset(); // RST while the server is still echoing: its writes now fail with EPIPE/ECONNRESET
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const client = await server.connect('after');
  await client.send('still there?\n');
  await client.expect('still there?\n', {
    why: "A reset makes the socket emit 'error'. An 'error' event with no listener is thrown, and it takes the whole server down.",
    spec: "Node docs: net.Socket Event 'error'; events: Error events",
    hint: "Add socket.on('error', ...) in the connection handler: log it and let the socket close.",
  });
});

test('serves 200 connections one after another without leaking them', async ({ server }) => {
  for (let i = 0; i < 200; i++) {
    const client = await server.connect(`seq${i + 1}`);
    await client.send(`#${i}\n`);
    await client.expect(`#${i}\n`);
    await client.end();
    await client.expectClose({ why: 'The client half-closed, so the server should end its side too.', hint: "Call socket.end() on 'end'." });
    client.destroy();
  }
  await checkNoLeakedSockets(server, 200, {
    why: 'A socket the server never ends stays half-open forever: a file descriptor and memory per client, until the process runs out.',
    hint: "End each socket when its client ends (the 'end' event), and don't keep references to closed ones.",
  });
});

test('listens on 127.0.0.1 by default', async ({ server }) => {
  const host = server.program.listening?.host;
  check(host === '127.0.0.1', {
    message: `Expected the server to listen on 127.0.0.1, but it listens on ${host === '::' || host === '0.0.0.0' ? `${host} (every interface)` : host}.`,
    why: 'A server bound to every interface can be reached by anyone on your network. Bind to loopback unless told otherwise (the stub has a --host option).',
    spec: "Node docs: server.listen(port, host): when host is omitted, Node listens on '::' or '0.0.0.0'",
    hint: 'Pass the host to listen(): server.listen(port, host, ...).',
  });
});

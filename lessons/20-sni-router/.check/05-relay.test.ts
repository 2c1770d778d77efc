// Hidden tests for sni-router, part 5: once routed, the connection is relayed as it is. A half-close
// stays a half-close (the other direction keeps flowing), a reset stays a reset, and a side that
// stops reading slows the other down instead of filling the router's memory.

import { serverTest, check, clientHello, records, byteCount, type Server } from '#harness/testing/index.ts';
import { Backend } from './backends.ts';

const A = await Backend.listen('backend-a');
const test = serverTest('sni-router', { args: ['--route', `a.test=${A.address}`] });

const HALF_CLOSE = 'RFC 9293 §3.6 (closing one direction); Node docs: net.createServer allowHalfOpen, readable.pipe()';
const RESET = 'RFC 9293 §3.5.2 (reset); Node docs: socket.resetAndDestroy()';

/** A client routed to backend-a, with the hello already through. */
async function routed(server: Server) {
  A.forget();
  const hello = records(clientHello({ serverName: 'a.test' }));
  const client = await server.connect('client');
  await client.send(hello);
  const backend = await A.accept(server, { hint: 'Route a.test to its backend (see the earlier checks).' });
  await backend.expect(hello);
  return { client, backend };
}

test("passes the client's FIN to the backend as FIN, and the backend's answer still back", async ({ server }) => {
  const { client, backend } = await routed(server);
  await client.send('last words');
  await client.end();
  await backend.expect('last words');
  await backend.expectClose({
    by: 'fin',
    why: 'The client half-closed (FIN): it sends nothing more, but may still read. The router passes the FIN on to the backend and keeps the other direction open.',
    spec: HALF_CLOSE,
    hint: 'Create the server and the backend socket with allowHalfOpen: true; pipe() calls end() on the destination when the source ends.',
  });
  const answer = Buffer.alloc(100_000, 0xa5);
  await backend.send(answer);
  await client.expect(answer, {
    why: "After the client's FIN the backend can still answer: a half-close closes one direction only. A router that ends or destroys both sockets on the first 'end' cuts the answer off.",
    spec: HALF_CLOSE,
    hint: "Don't end or destroy the client socket on its 'end' event: let pipe() pass the FIN on, and end the client only when the backend ends.",
  });
  await backend.end();
  await client.expectClose({
    by: 'fin',
    why: "Then the backend's FIN reaches the client: the connection is closed both ways.",
    spec: HALF_CLOSE,
    hint: 'backend.pipe(client) ends the client when the backend ends.',
  });
});

test("passes the backend's FIN to the client as FIN, and the client can still send", async ({ server }) => {
  const { client, backend } = await routed(server);
  await backend.send('bye');
  await backend.end();
  await client.expect('bye');
  await client.expectClose({
    by: 'fin',
    why: 'The backend half-closed: the router passes its FIN to the client.',
    spec: HALF_CLOSE,
    hint: 'backend.pipe(client) ends the client when the backend ends.',
  });
  await client.send('one more thing');
  await backend.expect('one more thing', {
    why: 'The backend closed its sending side only: the client may still send, and the backend still reads.',
    spec: HALF_CLOSE,
    hint: "Keep the client → backend direction flowing after the backend's FIN: allowHalfOpen: true on both sockets.",
  });
});

test('passes a reset from the client to the backend as a reset', async ({ server }) => {
  const { client, backend } = await routed(server);
  client.reset();
  await backend.expectClose({
    by: 'rst',
    why: 'The client reset the connection (RST): it aborted, and what it sent may be incomplete. Passed on as FIN, the backend would take the abort for an orderly end. socket.destroy() sends FIN; resetAndDestroy() sends RST.',
    spec: RESET,
    hint: "On the client socket's 'error' (ECONNRESET), call backend.resetAndDestroy().",
  });
});

test('passes a reset from the backend to the client as a reset', async ({ server }) => {
  const { client, backend } = await routed(server);
  backend.reset();
  await client.expectClose({
    by: 'rst',
    why: 'The backend reset the connection: the client must see an abort, not an orderly end.',
    spec: RESET,
    hint: "On the backend socket's 'error' after it connected, call client.resetAndDestroy().",
  });
});

/** Floods `from` while `to` does not read, and checks what the router took and how its memory grew. */
async function expectHeldBack(server: Server, direction: string, flood: (size: number) => Promise<number>, pause: () => void, hint: string): Promise<void> {
  const before = await server.stats();
  pause();
  const accepted = await flood(256 * 1024 * 1024);
  const after = await server.stats();
  const growth = before && after ? after.rss - before.rss : 0;
  check(accepted < 64 * 1024 * 1024, {
    message: `Expected the router to stop taking bytes ${direction} once the other side stopped reading, but it accepted ${byteCount(accepted)}.`,
    why: "A relay that reads faster than it can write keeps the difference in memory. With backpressure, a write() that returns false pauses the reading side until 'drain': the kernel buffers fill and TCP makes the sender wait.",
    spec: "Node docs: writable.write() return value, the 'drain' event, readable.pipe()",
    hint,
  });
  check(growth < 64 * 1024 * 1024, {
    message: `Expected the router's memory to stay bounded, but it grew by ${byteCount(growth)} while one side flooded and the other did not read.`,
    why: 'Every byte accepted and not yet written sits in the router.',
    hint,
  });
}

test('a backend that stops reading holds the client back: the router does not buffer the flood', async ({ server }) => {
  const { client, backend } = await routed(server);
  await expectHeldBack(
    server,
    'from the client',
    (size) => client.flood(Buffer.alloc(256 * 1024, 0x62), size, 400),
    () => backend.pauseReading(),
    "Use client.pipe(backend) (it pauses the client while the backend is full), not a 'data' handler that calls backend.write() whatever it returns.",
  );
});

test('a client that stops reading holds the backend back', async ({ server }) => {
  const { client, backend } = await routed(server);
  await expectHeldBack(
    server,
    'from the backend',
    (size) => backend.flood(Buffer.alloc(256 * 1024, 0x63), size, 400),
    () => client.pauseReading(),
    'Use backend.pipe(client) too: both directions need backpressure.',
  );
});

// Hidden tests for keep-alive, part 2: the idle timeout, with the server started as
// `server.ts --port N --idle-timeout 300`.

import { serverTest, check, describeBytes } from '#harness/testing/index.ts';
import { hello, runInTurn } from './steps.ts';

const IDLE_MS = 300;
const test = serverTest('keep-alive', { args: ['--idle-timeout', String(IDLE_MS)] });

const SPEC = 'RFC 9112 §9.5 (a server may close idle connections); Node docs: socket.setTimeout()';

test(`closes a connection that stays idle longer than --idle-timeout (${IDLE_MS} ms here)`, async ({ server }) => {
  const silent = await server.connect('silent');
  const client = await server.connect('idle');
  await runInTurn(client, [hello()]);
  const closes = [client, silent].map((c) =>
    c.expectClose({
      timeoutMs: IDLE_MS + 2000,
      why: `The server was started with --idle-timeout ${IDLE_MS}. A connection that carries nothing for that long (${c === silent ? 'this one never sent a request' : 'this one after its first response'}) is closed, so that clients that went quiet do not hold sockets forever.`,
      spec: SPEC,
      hint: c === silent ? 'Start the timer as soon as the connection is accepted.' : 'socket.setTimeout(ms, callback): Node calls it after ms without a read or a write; close the socket there.',
    }),
  );
  await Promise.all(closes);
  const extra = await client.readFor(0);
  check(extra.length === 0, {
    message: `Expected the idle connection to be closed without a word, received ${describeBytes(extra)}.`,
    why: "Nothing was asked, so nothing is answered: a response nobody asked for would be taken as the answer to the client's next request.",
  });
});

test('keeps a connection that is busy open past the idle timeout', async ({ server }) => {
  const client = await server.connect('busy');
  const started = performance.now();
  let requests = 0;
  // A request every 50 ms, for one and a half idle timeouts: the connection is never idle for long.
  while (performance.now() - started < IDLE_MS * 1.5) {
    await runInTurn(client, [hello()], ++requests);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  check(client.state === 'open', {
    message: `Expected the busy connection to stay open after ${requests} requests in ${Math.round(performance.now() - started)} ms, but it was closed.`,
    why: `The idle timeout counts time without traffic; this client sent a request every 50 ms, far less than ${IDLE_MS} ms apart.`,
    spec: SPEC,
    hint: 'Restart the timer on every read and write (socket.setTimeout does), rather than counting from when the connection opened.',
  });
});

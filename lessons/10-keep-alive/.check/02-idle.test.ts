// Hidden tests for keep-alive, part 2: the idle timeout, with the server started as
// `server.ts --port N --idle-timeout 300`. Silence counts wherever it falls: before a request, in
// the middle of a head, in the middle of a body.

import { serverTest, check, describeBytes, runCase, request, type RawClient } from '#harness/testing/index.ts';
import { hello } from './cases.ts';

const IDLE_MS = 300;
const test = serverTest('keep-alive', { args: ['--idle-timeout', String(IDLE_MS)] });

// Each test waits out the idle timer on connections of its own: they run at once.
const SPEC = 'RFC 9112 §9.5 (a server may close idle connections); Node docs: socket.setTimeout()';

/** Fails unless the connection is closed within the idle timeout (plus slack), with nothing sent. */
async function expectIdleClose(client: RawClient, why: string, hint: string): Promise<void> {
  await client.expectClose({ timeoutMs: IDLE_MS + 2000, why, spec: SPEC, hint });
  const extra = await client.readFor(0);
  check(extra.length === 0, {
    message: `Expected the idle connection to be closed without a word, received ${describeBytes(extra)}.`,
    why: "Nothing complete was asked, so nothing is answered: a response nobody asked for would be taken as the answer to the client's next request.",
  });
}

test.concurrent(`closes a connection that stays idle longer than --idle-timeout (${IDLE_MS} ms here)`, async ({ server }) => {
  const silent = await server.connect('silent');
  const client = await server.connect('idle');
  await runCase(client, { name: 'one request', exchanges: [hello()] });
  await Promise.all([
    expectIdleClose(
      silent,
      `The server was started with --idle-timeout ${IDLE_MS}. A connection that carries nothing for that long (this one never sent a request) is closed, so that clients that went quiet do not hold sockets forever.`,
      'Start the timer as soon as the connection is accepted.',
    ),
    expectIdleClose(
      client,
      `The server was started with --idle-timeout ${IDLE_MS}. This connection carried nothing for that long after its first response, so it is closed.`,
      'socket.setTimeout(ms, callback): Node calls it after ms without a read or a write; close the socket there.',
    ),
  ]);
});

test.concurrent('counts silence in the middle of a head or of a body toward the idle timeout', async ({ server }) => {
  const midHead = await server.connect('mid-head');
  await midHead.send('GET /greeting HTTP/1.1\r\nHost: exa');
  const midBody = await server.connect('mid-body');
  await midBody.send(Buffer.concat([request({ method: 'POST', target: '/inspect', headers: [['Content-Length', '100']] }), Buffer.alloc(10, 0x61)]));
  const why = `The client sent part of a request and then nothing for longer than --idle-timeout (${IDLE_MS} ms). Silence is silence wherever it falls: a timer that runs only between requests lets a client that stops mid-request hold the connection forever.`;
  const hint =
    'Use one timer for the whole connection that every read and write restarts (socket.setTimeout), not one that runs only while waiting for the next request.';
  await Promise.all([expectIdleClose(midHead, why, hint), expectIdleClose(midBody, why, hint)]);
});

// A close here proves a mistake only if the connection really was never idle. On a loaded machine
// (the author matrix in CI), either process can be kept off the CPU for a whole timeout: the check
// between two requests, or the server, whose timer then fires before it reads the request already
// waiting. A timer that counts from the accept closes every attempt at the same point, so a
// closed connection is tried again on a new one, up to ATTEMPTS times, and only all of them
// closed fail.
const ATTEMPTS = 3;

test.concurrent('keeps a connection that is busy open past the idle timeout', async ({ server }) => {
  const closed: string[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const client = await server.connect(`busy-${attempt}`);
    const started = performance.now();
    let requests = 0;
    // A request every 50 ms, for one and a half idle timeouts: the connection is never idle for long.
    while (performance.now() - started < IDLE_MS * 1.5 && client.state === 'open') {
      requests++;
      try {
        await runCase(client, { name: `request ${requests}`, exchanges: [hello()] });
      } catch (error) {
        // Closed before its answer: the close is what this test judges, below. A wrong answer, or
        // none on an open connection, is a failure of its own.
        if (client.state === 'open') throw error;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (client.state === 'open') return;
    closed.push(`after ${requests} requests in ${Math.round(performance.now() - started)} ms`);
  }
  check(false, {
    message: `Expected a busy connection to stay open, but the server closed it on each of ${ATTEMPTS} connections: ${closed.join('; ')}.`,
    why: `The idle timeout counts time without traffic; this client sent a request every 50 ms, far less than ${IDLE_MS} ms apart.`,
    spec: SPEC,
    hint: 'Restart the timer on every read and write (socket.setTimeout does), rather than counting from when the connection opened.',
  });
});

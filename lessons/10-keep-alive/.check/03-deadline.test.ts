// Hidden tests for keep-alive, part 3: the head deadline (slowloris), with the server started as
// `server.ts --port N --idle-timeout 1000 --head-timeout 500`. A head must be complete 500 ms after
// its first byte, however it trickles in; the idle timer alone restarts on every byte. The tests
// use connections of their own and run at once.

import { setTimeout as delay } from 'node:timers/promises';
import { serverTest, checkResponse, readResponse, request, runCase, type RawClient } from '#harness/testing/index.ts';
import { GREETING, hello } from './cases.ts';

const HEAD_MS = 500;
const test = serverTest('keep-alive', { args: ['--idle-timeout', '1000', '--head-timeout', String(HEAD_MS)] });

const SPEC = 'RFC 9110 §15.5.9 (408 Request Timeout); RFC 9112 §9.5; node:http server.headersTimeout';
/** Between trickled bytes: far below the idle timeout, so that only the head deadline can fire. */
const GAP_MS = 50;

/**
 * Sends `bytes` one at a time, GAP_MS apart, until they are all out or the server closed (or,
 * unless `throughAnswer`, answered).
 */
async function trickle(client: RawClient, bytes: Buffer, throughAnswer = false): Promise<void> {
  for (let i = 0; i < bytes.length && (throughAnswer || client.buffered === 0) && client.state === 'open'; i++) {
    if (i > 0) await delay(GAP_MS);
    await client.send(bytes.subarray(i, i + 1));
  }
}

test.concurrent(`answers a head that trickles in slower than --head-timeout allows (${HEAD_MS} ms here) with 408, and closes`, async ({ server }) => {
  const client = await server.connect('slowloris');
  // About 70 bytes, one every 50 ms: 3.5 s for the whole head, far past the deadline, while the
  // idle timer (1 s) restarts on every byte and never fires.
  await trickle(client, request({ target: '/greeting', headers: [['X-Slow', 'one byte every 50 ms']] }));
  const teaching = {
    why: `The server was started with --head-timeout ${HEAD_MS}: a head must be complete ${HEAD_MS} ms after its first byte. This one comes a byte every ${GAP_MS} ms, so the idle timer never fires; without a deadline for the whole head, one client (or a thousand, in a slowloris attack) holds a connection for as long as it likes. The answer is 408 Request Timeout, and the connection closes.`,
    spec: SPEC,
    hint: 'Once the first byte of a request is in the reader, set reader.deadline = performance.now() + headTimeoutMs, and clear it (finally) when readRequestHead returns: the reader then throws HttpError 408 when time is up.',
  };
  const response = await readResponse(client, { what: 'the response to a head that never finishes in time', ...teaching });
  await checkResponse(
    client,
    response,
    { status: 408, fields: { Connection: /(^|,)\s*close\s*(,|$)/i }, close: true },
    'the response to a head that never finishes in time',
    teaching,
  );
});

test.concurrent('counts the head deadline from the first byte of each request, not from the last response', async ({ server }) => {
  const client = await server.connect('patient');
  await runCase(client, { name: 'the first request', exchanges: [hello()] });
  // Quiet for 400 ms (within the idle timeout), then the next head, its last bytes trickled: it
  // is complete about 150 ms after its first byte, at least 550 ms after the last response.
  await delay(400);
  const head = request({ target: '/greeting' });
  await client.send(head.subarray(0, head.length - 4));
  await trickle(client, head.subarray(head.length - 4));
  const teaching = {
    why: `The deadline (${HEAD_MS} ms) starts with the first byte of a head. The time between requests is the idle timer's business: this head took about 150 ms, and the client was silent for 400 ms before it, which is allowed.`,
    spec: SPEC,
    hint: 'Wait for the first byte of the next request (fill() while the buffer is empty) before you set the deadline, not when the previous response is out.',
  };
  const response = await readResponse(client, { what: 'the response to the second request', ...teaching });
  await checkResponse(client, response, { status: 200, body: Buffer.from(GREETING) }, 'the response to the second request', teaching);
});

test.concurrent("gives the head deadline to the head only: a slow body is the idle timer's business", async ({ server }) => {
  const client = await server.connect('slow-body');
  const body = Buffer.from('fifteen bytes!!');
  await client.send(request({ method: 'POST', target: '/echo', headers: [['Content-Length', String(body.length)]] }));
  await trickle(client, body, true); // the echo comes back as the body arrives
  const teaching = {
    why: `The head came whole at once; the body takes about ${(body.length - 1) * GAP_MS} ms, more than --head-timeout, with no silence as long as the idle timeout. The head deadline is over once the head is read.`,
    spec: SPEC,
    hint: 'Clear reader.deadline as soon as readRequestHead returns (a finally around it).',
  };
  const response = await readResponse(client, { what: 'the echo of a slow body', ...teaching });
  await checkResponse(client, response, { status: 200, body }, 'the echo of a slow body', teaching);
});

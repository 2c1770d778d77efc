// Hidden tests for chunked-response, part 3: backpressure. A client that stops reading holds the
// source back: 64 MiB pass through in bounded memory, and the pieces after the pause are made only
// as the client takes them. In a file of its own, so that its program's memory is this test's
// alone and it runs beside part 2 (the same rule for HTTP/1.0 is there).

import { serverTest, check, quote, byteCount, request, readResponseHead, checkStatus, checkHeader } from '#harness/testing/index.ts';
import { CHUNKED, MEMORY_BOUND, STREAMING, bufferMemory, growthWhileStalled, readChunk } from './chunks.ts';

const test = serverTest('chunked-response');

test('holds the source back while the client does not read: 64 MiB pass through in bounded memory', async ({ server }) => {
  const client = await server.connect();
  const before = await bufferMemory(server);
  await client.send(request({ target: '/stream?mib=64' }));
  const label = 'the response to GET /stream?mib=64';
  const response = await readResponseHead(client, { what: label });
  checkStatus(response, 200, { hint: response.status === 501 ? 'The body of the 501 says what is not written yet.' : undefined });
  checkHeader(response, 'Transfer-Encoding', /^chunked$/i, { spec: 'RFC 9112 §6.1' });
  client.pauseReading();
  // While the client reads nothing, watch the server's memory: a writer that waits for 'drain'
  // stops once the socket's buffers are full, and so does the source.
  const why = `The client stopped reading. A writer that waits for 'drain' before asking the source for the next piece holds the source back, and the server keeps a few pieces in memory at most. One that writes without waiting makes Node queue the whole 64 MiB in memory, for every slow client at once.`;
  const growth = await growthWhileStalled(server, before);
  check(growth <= MEMORY_BOUND, {
    message: `Expected the server's memory in Buffers to grow by at most ${byteCount(MEMORY_BOUND)} while the client read nothing, but it grew by ${byteCount(growth)}.`,
    why,
    spec: STREAMING,
    hint: "Await each send(): it waits for 'drain' when the socket's buffer is full, and the for await loop asks for the next piece only after it.",
  });
  // Now read it all: every piece, in order, and the last ones made only after the client read again.
  const resumed = Date.now();
  client.resumeReading();
  let madeLast = 0;
  for (let i = 1; i <= 1024; i++) {
    const chunk = await readChunk(client, `chunk ${i} of ${label}`, { timeoutMs: 5000 });
    const made = /^piece (\d+) of 1024 made at (\d+)\n/.exec(chunk.data.subarray(0, 64).toString('latin1'));
    check(chunk.size === 64 * 1024 && made?.[1] === String(i), {
      message: `Expected chunk ${i} of ${label} to be piece ${i}, 64 KiB, received ${byteCount(chunk.size)} starting ${quote(chunk.data.subarray(0, 40))}.`,
      spec: CHUNKED,
    });
    madeLast = Number(made![2]);
  }
  const last = await readChunk(client, `the last chunk of ${label}`, { timeoutMs: 5000 });
  check(last.size === 0, { message: `Expected the last chunk after 1024 pieces, received a chunk of ${byteCount(last.size)}.`, spec: CHUNKED });
  check(madeLast >= resumed, {
    message: `Expected the last piece to be made after the client started reading again, but it was made ${resumed - madeLast} ms before.`,
    why: 'A source held back by backpressure makes the rest of its pieces only as the client takes them.',
    spec: STREAMING,
    hint: 'Await each send() before asking the source for the next piece.',
  });
});

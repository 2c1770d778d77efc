// Hidden tests for chunked-response, part 2: streaming. Each piece leaves when it is produced (also
// with requests pipelined behind it), a client that leaves stops it, a source that fails leaves the
// body visibly incomplete, and an HTTP/1.0 client that reads slowly holds the source back (the
// chunked case is part 3).

import {
  serverTest,
  check,
  quote,
  byteCount,
  request,
  readResponse,
  readResponseHead,
  checkStatus,
  checkHeader,
  LessonFailure,
  type RawClient,
} from '#harness/testing/index.ts';
import { CHUNKED, MEMORY_BOUND, STREAMING, bufferMemory, growthWhileStalled, readChunk, sheep } from './chunks.ts';

// Checks on connections of their own run concurrently on one program (a failure is still reported
// in the order they are written). Alone, after the others: the two that watch the program's output
// for "/sheep stopped after … of 100 sheep" (each must see its own line, not the other's), and the
// one that measures the program's memory.
const test = serverTest('chunked-response');

/** Asks for /sheep with the second sheep 3 s after the first, and reads the first one. */
async function firstSheep(client: RawClient, options: { pipelined?: Buffer; why: string; hint: string }): Promise<void> {
  const ask = request({ target: '/sheep?n=2&interval=3000' });
  await client.send(options.pipelined ? [ask, options.pipelined] : ask);
  const label = 'the response to GET /sheep?n=2&interval=3000';
  const response = await readResponseHead(client, { what: label, timeoutMs: 2500, why: options.why, spec: STREAMING, hint: options.hint });
  checkStatus(response, 200, { hint: response.status === 501 ? 'The body of the 501 says what is not written yet.' : undefined });
  checkHeader(response, 'Transfer-Encoding', /^chunked$/i, { spec: 'RFC 9112 §6.1' });
  const chunk = await readChunk(client, `the first chunk of ${label}`, { timeoutMs: 2500, why: options.why, hint: options.hint });
  check(chunk.data.equals(sheep(1)), {
    message: `Expected the first chunk of ${label} to be ${quote(sheep(1))}, received ${quote(chunk.data)}.`,
    why: options.why,
    spec: CHUNKED,
  });
}

test.concurrent('sends each piece as soon as the source yields it: the first sheep arrives before the second is counted', async ({ server }) => {
  await firstSheep(await server.connect(), {
    why: 'The second sheep is counted 3 s after the first. A chunk must leave when its piece is produced, not when the body is complete: that is what streaming is for (a log followed live, the rows of a long query, server-sent events).',
    hint: 'Write each chunk as soon as the source yields its piece (await send(conn, encodeChunk(piece)) inside the for await loop); do not collect the pieces first.',
  });
});

test.concurrent('sends each piece at once also when more requests are pipelined behind it', async ({ server }) => {
  await firstSheep(await server.connect(), {
    pipelined: request({ target: '/' }),
    why: "A request waits behind this one, so keep-alive's loop corks the socket to send the responses together. A streamed piece must not wait for them: it has to leave now.",
    hint: 'After writing each chunk (and the head), let the corked bytes go: leaveNow(conn).',
  });
});

test.for([
  ['HTTP/1.1', 'chunks'],
  ['HTTP/1.0', 'a body the close ends'],
] as const)('stops pulling from the source when the client goes away in the middle of the body (%s, %s)', async ([version], { server }) => {
  const client = await server.connect();
  await client.send(request({ target: '/sheep?n=100&interval=30', version }));
  const label = `the response to GET /sheep?n=100&interval=30 ${version}`;
  const response = await readResponseHead(client, { what: label });
  checkStatus(response, 200);
  if (version === 'HTTP/1.1') for (let i = 1; i <= 2; i++) await readChunk(client, `chunk ${i} of ${label}`);
  else await client.readExactly(sheep(2).length, { why: `The first two sheep of ${label}, as they are (no chunks for HTTP/1.0).` });
  const since = server.program.now();
  client.reset();
  const why =
    'The client reset the connection after two sheep. Writes to a destroyed socket go nowhere (send() returns at once), so a writer that goes on asking the source for pieces counts the other 98 sheep for nobody: with an endless source (a live feed) it never stops.';
  const deadline = performance.now() + 2000;
  const stopped = () => server.program.output.some((line) => line.at >= since && /\/sheep stopped after \d+ of 100 sheep/.test(line.text));
  while (!stopped() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  check(stopped(), {
    message:
      'Expected the server to stop counting sheep within 2 s of the client leaving (server.ts prints "/sheep stopped after …" when the source is closed early), but it did not.',
    why,
    spec: "Node docs: socket.destroyed; MDN: for await...of (leaving the loop calls the iterator's return())",
    hint:
      version === 'HTTP/1.1'
        ? 'After each chunk, check conn.socket.destroyed and throw if it is: leaving the for await loop closes the source.'
        : 'In writeCloseDelimitedBody too: after each piece, check conn.socket.destroyed and throw if it is; leaving the for await loop closes the source.',
  });
  // The server itself goes on serving.
  const next = await server.connect();
  await next.send(request({ target: '/sheep?n=1&interval=0' }));
  const after = await readResponse(next, { what: 'the response to a new request after that' });
  checkStatus(after, 200);
});

test.concurrent('ends the connection without the last chunk when the source fails in the middle of the body', async ({ server }) => {
  const client = await server.connect();
  await client.send(request({ target: '/broken' }));
  const label = 'the response to GET /broken';
  const response = await readResponseHead(client, { what: label });
  checkStatus(response, 200, { hint: response.status === 501 ? 'The body of the 501 says what is not written yet.' : undefined });
  checkHeader(response, 'Transfer-Encoding', /^chunked$/i, { spec: 'RFC 9112 §6.1' });
  for (const [i, piece] of ['first piece\n', 'second piece\n'].entries()) {
    const chunk = await readChunk(client, `chunk ${i + 1} of ${label}`);
    check(chunk.data.toString('latin1') === piece, {
      message: `Expected chunk ${i + 1} of ${label} to be ${quote(piece)}, received ${quote(chunk.data)}.`,
      spec: CHUNKED,
    });
  }
  const why =
    'The source of /broken throws after two pieces. The head (200) and two chunks are already out: the response cannot be corrected any more. Closing the connection without the last chunk is the only way left to tell the client that the body is incomplete. A last chunk would make the broken body look complete.';
  const hint = 'Let the error out of writeChunkedBody (no catch, no finally that writes LAST_CHUNK): the loop then ends and server.ts closes the connection.';
  let rest: Buffer;
  try {
    rest = await client.readToEnd({ timeoutMs: 2000, why, spec: 'RFC 9112 §7.1, §8 (incomplete messages)', hint });
  } catch (error) {
    if (!(error instanceof LessonFailure)) throw error;
    throw new LessonFailure({
      message: `Expected the connection to close after the two chunks that /broken's source yielded before it failed, but it stayed open${client.buffered > 0 ? '' : ' and nothing more came'}.`,
      why,
      spec: 'RFC 9112 §8',
      hint,
    });
  }
  check(!/(^|\r\n)0+(;[^\r\n]*)?\r\n/.test(rest.toString('latin1')), {
    message: `Expected the connection to close without a last chunk after /broken's source failed, received ${quote(rest)} first.`,
    why,
    spec: 'RFC 9112 §7.1, §8 (incomplete messages)',
    hint,
  });
  check(rest.length === 0, { message: `Expected nothing after the two chunks of /broken but the close, received ${quote(rest)}.`, why, hint });
  const next = await server.connect();
  await next.send(request({ target: '/sheep?n=1&interval=0' }));
  checkStatus(await readResponse(next, { what: 'the response to a new request after /broken' }), 200, {
    why: 'One failed response closes its own connection, not the server.',
  });
});

test.concurrent('resets the connection when the source fails in a body that the close ends (HTTP/1.0)', async ({ server }) => {
  const client = await server.connect();
  await client.send(request({ target: '/broken', version: 'HTTP/1.0' }));
  const label = 'the response to GET /broken from an HTTP/1.0 client';
  const response = await readResponseHead(client, { what: label });
  checkStatus(response, 200);
  check(response.header('transfer-encoding') === undefined, {
    message: `Expected no Transfer-Encoding in ${label}, received "Transfer-Encoding: ${response.header('transfer-encoding')}".`,
    spec: 'RFC 9112 §7.1',
  });
  const why =
    'For HTTP/1.0 the close is the end of the body: closing normally (FIN) after a failure would pass the first two pieces off as the whole body. A reset (RST) tells the client that something broke.';
  const how = await client.expectClose({
    timeoutMs: 2000,
    why,
    spec: 'RFC 9112 §6.3 rule 8; RFC 9293 §3.5.2 (reset)',
    hint: 'In writeCloseDelimitedBody, catch the error, call conn.socket.resetAndDestroy(), and throw it on.',
  });
  check(how === 'rst', {
    message: `Expected ${label} to end with a reset (RST) when its source failed, but the connection ended with FIN.`,
    why,
    spec: 'RFC 9112 §6.3 rule 8',
    hint: 'In writeCloseDelimitedBody, catch the error, call conn.socket.resetAndDestroy(), and throw it on.',
  });
});

// The same rule for a source that the client holds back with chunks (HTTP/1.1) is in
// 03-backpressure, on a program of its own: each of the two measures the program's memory alone.
test('holds the source back for an HTTP/1.0 client that does not read, too (a body the close ends)', async ({ server }) => {
  const client = await server.connect();
  const before = await bufferMemory(server);
  await client.send(request({ target: '/stream?mib=64', version: 'HTTP/1.0' }));
  const label = 'the response to GET /stream?mib=64 HTTP/1.0';
  const response = await readResponseHead(client, { what: label });
  checkStatus(response, 200, { hint: response.status === 501 ? 'The body of the 501 says what is not written yet.' : undefined });
  client.pauseReading();
  const growth = await growthWhileStalled(server, before);
  client.reset();
  check(growth <= MEMORY_BOUND, {
    message: `Expected the server's memory in Buffers to grow by at most ${byteCount(MEMORY_BOUND)} while the HTTP/1.0 client read nothing, but it grew by ${byteCount(growth)}.`,
    why: "Without chunks the pieces go out as they are, but the client is just as slow: a writer that does not wait for 'drain' makes Node queue the whole 64 MiB in memory. Backpressure is the same rule in both writers.",
    spec: STREAMING,
    hint: "In writeCloseDelimitedBody, await send() for each piece (it waits for 'drain'), as in writeChunkedBody; never socket.write() without waiting.",
  });
});

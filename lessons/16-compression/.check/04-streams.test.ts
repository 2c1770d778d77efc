// Hidden tests for compression, part 4: compression as a stream. A large file to a client that
// stops reading is read only as far as the buffers between the file and the client hold; and a
// client that resets leaves no file, compressor or socket behind. (That a live route stays live
// through the compressor is checked in part 3, where its waits overlap other tests: this file's
// test measures the program, and runs alone.)

import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { serverTest, check, byteCount, checkNoLeakedSockets, request, readResponseHead, type Server } from '#harness/testing/index.ts';
import { makeSite } from './site.ts';
import { bytesRead, openFilesUnder } from './streams.ts';

const MiB = 1024 * 1024;
/**
 * Text that compresses to about three quarters (base64 of noise): the buffers hold little of it.
 * 1 MiB of it, repeated: gzip looks back 32 KiB at most, so it compresses the copies as it would
 * 64 MiB of fresh noise, and the file is made in a fifth of the time (155 ms against 735 ms,
 * measured on a loaded machine): the program cannot start before it is there.
 */
const BIG = Buffer.alloc(64 * MiB, randomBytes(768 * 1024).toString('base64'));
const site = makeSite({ 'big.txt': BIG });
// A long idle timeout: these tests pause on purpose.
const test = serverTest('compression', { args: ['--root', site.root, '--idle-timeout', '30000'] });

/** How much of the file the server may read while the client reads nothing (measured: see the README of the check). */
const MAX_READ_AHEAD = 32 * MiB;
/** Memory the server may gain meanwhile (measured for the reference: a few MiB). */
const MAX_GROWTH = 64 * MiB;

async function openFiles(server: Server): Promise<number | undefined> {
  let open = openFilesUnder(server.program.pid, site.root);
  const deadline = performance.now() + 3000;
  while (open !== undefined && open > 0 && performance.now() < deadline) {
    await delay(20);
    open = openFilesUnder(server.program.pid, site.root);
  }
  return open;
}

/** Waits (bounded) until the server's count of bytes read stops moving, and returns it. */
async function readSettled(server: Server): Promise<number | undefined> {
  let last = bytesRead(server.program.pid);
  let still = 0;
  const deadline = performance.now() + 3000;
  while (last !== undefined && still < 3 && performance.now() < deadline) {
    await delay(50);
    const now = bytesRead(server.program.pid);
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

test('reads a 64 MiB file only as fast as a slow client takes it through gzip, and closes everything when the client resets', async ({ server }) => {
  const warm = await server.connect('warm-up');
  await warm.send(request({ target: '/text.txt', headers: [['Accept-Encoding', 'gzip']] }));
  await readResponseHead(warm, { what: 'the response to a first, small request' });
  warm.destroy();
  const before = await server.stats();
  const readBefore = bytesRead(server.program.pid);

  const client = await server.connect('slow');
  await client.send(request({ target: '/big.txt', headers: [['Accept-Encoding', 'gzip']] }));
  const head = await readResponseHead(client, { what: 'the response to GET /big.txt (64 MiB of text) with Accept-Encoding: gzip', timeoutMs: 10_000 });
  check(head.status === 200 && head.header('content-encoding') === 'gzip', {
    message: `Expected 200 with "Content-Encoding: gzip" for the 64 MiB text file, received ${head.summary()}.`,
  });
  await client.readExactly(64 * 1024, { timeoutMs: 10_000, why: 'The first 64 KiB of the compressed body.' });
  client.pauseReading();
  const readAfter = await readSettled(server);
  const during = await server.stats();
  const readAhead = readBefore !== undefined && readAfter !== undefined ? readAfter - readBefore : undefined;
  check(readAhead === undefined || readAhead < MAX_READ_AHEAD, {
    message: `Expected the server to read only what the buffers between the file and the client hold (less than ${byteCount(MAX_READ_AHEAD)}) while the client reads nothing, but it read ${byteCount(readAhead ?? 0)} of the 64 MiB file.`,
    why: 'The compressed body must be streamed: the file read a piece at a time, each piece compressed and sent, the next read only once the socket took the last. Collecting the compressed body (or the file) first holds all of it in memory, and the client waits for the whole file to be compressed before it sees a byte.',
    spec: 'Node.js docs: stream.pipeline(), Backpressure in streams',
    hint: 'pipeline(file pieces, encoder) feeds the encoder; yield what the encoder gives as it gives it (for await … of encoder), never after collecting it.',
  });
  const growth = before && during ? during.rss - before.rss : 0;
  check(growth < MAX_GROWTH, {
    message: `Expected the server's memory to grow by less than ${byteCount(MAX_GROWTH)} while the client does not read, but it grew by ${byteCount(growth)}.`,
    why: 'A client that reads slowly must not make the server hold the file, or its compressed form, in memory.',
    hint: 'Stream: pipeline(source, encoder), and yield each piece the encoder gives.',
  });

  client.reset();
  const open = await openFiles(server);
  check(open === undefined || open === 0, {
    message: `Expected the server to hold no file under the root open after the client reset in the middle of the compressed body, but it holds ${open}.`,
    why: 'When the client goes away the writer stops reading the encoder. The encoder must then be destroyed, and the source with it, so that the file handle closes: pipeline() does that; source.pipe(encoder) does not (pipe never destroys its source), and a compressor left open also keeps its native memory.',
    spec: 'Node.js docs: stream.pipeline() ("destroys all streams when one errors or closes")',
    hint: 'Connect source and encoder with pipeline(), never .pipe(), and destroy the encoder in a finally when the loop that reads it ends early.',
  });
  await checkNoLeakedSockets(server, 2, { atMost: 1, hint: 'Once the client reset, every stage of the response must end so that the connection closes.' });
});

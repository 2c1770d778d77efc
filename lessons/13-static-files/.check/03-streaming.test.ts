// Hidden tests for static-files, part 3: a file goes out as a stream, and what it takes is given
// back. A huge file to a client that stops reading keeps the server's memory flat; every file
// handle is closed, however the response ends. (Each file of checks has a program of its own, so
// the memory and the open files counted here are this file's alone.)

import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { serverTest, check, byteCount, request, readResponse, readResponseHead } from '#harness/testing/index.ts';
import { GiB, MiB, STREAM, expectNoOpenFiles, openFiles, pattern, sparseFile } from './streaming.ts';
import { makeSite } from './tree.ts';

const site = makeSite({ 'small.bin': pattern(0, 100 * 1024), 'medium.bin': pattern(0, 2 * MiB) });
sparseFile(path.join(site.root, 'huge.bin'), GiB);

// A long idle timeout: these tests pause on purpose.
const test = serverTest('static-files', { args: ['--root', site.root, '--idle-timeout', '30000'] });

/**
 * Memory the server may gain while it streams 1 GiB to a client that stopped reading. Measured on
 * Linux (Node 20, 20 runs, loaded 2-core machine): the reference gains 5.1–7.5 MiB of RSS; reading
 * the file whole gains the whole GiB.
 */
const MAX_GROWTH = 64 * MiB;

test('streams 1 GiB to a client that stops reading without taking 1 GiB of memory, and closes the file when the client resets', async ({ server }) => {
  const since = server.program.now();
  const warm = await server.connect('warm-up');
  await warm.send(request({ target: '/small.bin' }));
  await readResponse(warm, { what: 'the response to a first, small request' });
  warm.destroy();
  const before = await server.stats();

  const client = await server.connect('slow');
  await client.send(request({ target: '/huge.bin' }));
  const head = await readResponseHead(client, { what: 'the response to GET /huge.bin (1 GiB)', timeoutMs: 15_000, hint: STREAM });
  check(head.status === 200 && head.header('content-length') === String(GiB), {
    message: `Expected 200 with "Content-Length: ${GiB}" for the 1 GiB file, received ${head.summary()} with ${head.header('content-length') === undefined ? 'no Content-Length' : `"Content-Length: ${head.header('content-length')}"`}.`,
    hint: 'Content-Length is stat().size, known before a byte is read.',
  });
  await client.readExactly(MiB, { timeoutMs: 10_000, why: 'The first MiB of the body.' });
  client.pauseReading();
  // Let the server fill every buffer between it and us, then look at its memory.
  await delay(300);
  const during = await server.stats();
  const growth = before && during ? during.rss - before.rss : 0;
  check(before !== undefined && during !== undefined && growth < MAX_GROWTH, {
    message:
      during === undefined
        ? 'Expected the server to report its memory, but it did not answer (busy?).'
        : `Expected the server to stay within ${byteCount(MAX_GROWTH)} of its memory before (${byteCount(before?.rss ?? 0)}) while the client does not read, but it grew by ${byteCount(growth)}.`,
    why: 'A client that reads slowly (or not at all) must not make the server hold the file in memory: the server reads the next piece only when the connection took the last one.',
    spec: 'Node.js docs: writable.write() return value and the "drain" event',
    hint: STREAM,
  });
  client.reset();
  await expectNoOpenFiles(
    server,
    site.root,
    'after the client reset in the middle of the body',
    'Close the FileHandle in a finally block around the read loop: for await calls return() on your generator when the writer stops, and finally runs.',
    since,
  );
});

test('closes every file handle: after 200 requests, many of them aborted, none is left open', async ({ server, skip }) => {
  if ((await openFiles(server, site.root)) === undefined) skip('open files cannot be counted here (no /proc, no lsof)');
  const since = server.program.now();
  const kept = await server.connect('kept-alive');
  for (let i = 0; i < 200; i++) {
    const kind = i % 6;
    if (kind === 0 || kind === 1 || kind === 4) {
      const target = kind === 4 ? '/missing.bin' : '/small.bin';
      const method = kind === 1 ? 'HEAD' : 'GET';
      await kept.send(request({ method, target }));
      await readResponse(kept, { method, what: `the response to ${method} ${target} (request ${i + 1} of 200)` });
      continue;
    }
    const client = await server.connect(`abort${i + 1}`);
    await client.send(request({ target: '/medium.bin' }));
    if (kind === 2) {
      await readResponseHead(client, { what: `the response to GET /medium.bin (request ${i + 1})` });
      await client.readExactly(64 * 1024);
    } else if (kind === 3) {
      await readResponseHead(client, { what: `the response to GET /medium.bin (request ${i + 1})` });
    }
    client.reset();
  }
  await expectNoOpenFiles(
    server,
    site.root,
    'after 200 requests (full GETs, HEADs, 404s, and GETs reset before, at and after the head)',
    'Open the file only when the body is read (inside the generator), and close it in finally: a HEAD never reads its body, and a reset stops the read loop.',
    since,
  );
});

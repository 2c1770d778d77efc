// Hidden tests for static-files, part 4: the body is exactly the file's bytes. A file trickled to a
// slow client arrives intact; a file that shrinks mid-way is never padded with bytes that are not
// in it; fileBody reads from where it is told, and sends nothing of a file that changed since its
// head was made.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { serverTest, check, byteCount, importLessonModule, request, readResponseHead, within, quote } from '#harness/testing/index.ts';
import { GiB, MiB, collect, firstWrongByte, pattern, readUntilCloseOrLength } from './streaming.ts';
import { makeSite } from './tree.ts';

const RANDOM = randomBytes(4 * MiB);
const site = makeSite({ 'random.bin': RANDOM, 'medium.bin': pattern(0, 2 * MiB) });

// A long idle timeout: these tests pause on purpose.
const test = serverTest('static-files', { args: ['--root', site.root, '--idle-timeout', '30000'] });

test('sends a 4 MiB file intact to a client that reads in small, slow steps', async ({ server }) => {
  const client = await server.connect('trickle');
  await client.send(request({ target: '/random.bin' }));
  const head = await readResponseHead(client, { what: 'the response to GET /random.bin (4 MiB)', timeoutMs: 5000 });
  check(head.status === 200 && head.header('content-length') === String(RANDOM.length), {
    message: `Expected 200 with "Content-Length: ${RANDOM.length}", received ${head.summary()}.`,
  });
  const hash = createHash('sha256');
  let received = 0;
  while (received < RANDOM.length) {
    const piece = await client.readExactly(Math.min(48 * 1024, RANDOM.length - received), {
      timeoutMs: 5000,
      why: `The body so far: ${byteCount(received)} of ${byteCount(RANDOM.length)}.`,
    });
    hash.update(piece);
    received += piece.length;
    client.pauseReading();
    await delay(2);
    client.resumeReading();
  }
  const got = hash.digest('hex');
  const want = createHash('sha256').update(RANDOM).digest('hex');
  check(got === want, {
    message: `Expected the 4 MiB body to be the file (SHA-256 ${want.slice(0, 16)}…), received bytes whose SHA-256 is ${got.slice(0, 16)}….`,
    why: 'Every piece must be the bytes read for it. A Buffer reused for the next read while the socket still holds it, or a piece sent past bytesRead, puts other bytes on the wire.',
    hint: 'Yield buffer.subarray(0, bytesRead), from a new Buffer for every read.',
  });
});

test('never sends bytes that are not in the file: a file that shrinks while it is sent ends the response short', async ({ server }) => {
  const file = path.join(site.root, 'shrinking.bin');
  const size = 64 * MiB;
  fs.writeFileSync(file, pattern(0, size));
  const client = await server.connect('shrink');
  await client.send(request({ target: '/shrinking.bin' }));
  const head = await readResponseHead(client, { what: 'the response to GET /shrinking.bin (64 MiB)', timeoutMs: 5000 });
  check(head.status === 200, { message: `Expected 200 for /shrinking.bin, received ${head.summary()}.` });
  const first = await client.readExactly(MiB, { timeoutMs: 5000 });
  client.pauseReading();
  await delay(100);
  fs.truncateSync(file, MiB); // the file shrinks to 1 MiB while the server is sending it
  client.resumeReading();
  const rest = await readUntilCloseOrLength(client, size - MiB, 10_000);
  const body = Buffer.concat([first, rest]);
  const wrongAt = firstWrongByte(body);
  check(wrongAt < 0, {
    message: `Expected every byte of the body to be the file's, but byte ${wrongAt} is ${body[wrongAt]}, not ${wrongAt % 251}: the response went on with bytes that were never in the file.`,
    why: 'When a read returns fewer bytes than asked (0 at the end of a file that shrank), those are all there are. Sending the whole buffer anyway sends whatever it held before.',
    hint: 'Send buffer.subarray(0, bytesRead); when bytesRead is 0 before the end you promised, throw: the connection closes.',
  });
  check(body.length < size, {
    message: `Expected the response to end short of its Content-Length (${byteCount(size)}) once the file shrank to 1 MiB, received all ${byteCount(body.length)} of it.`,
    why: 'The head promised 64 MiB. The only honest way out is to close the connection early: the client sees a short body and knows it is incomplete.',
    hint: 'When a read returns 0 bytes before the end, throw an Error from the body: the connection loop closes the connection.',
  });
  check(client.state !== 'open', {
    message: `Expected the server to close the connection after the short body, but it is still open after ${byteCount(body.length)}.`,
    hint: 'Throw from the body when the file ends early.',
  });
});

test('fileBody(file, start, length) reads from start: the last 16 bytes of a 64 GiB file come at once', async ({ skip }) => {
  if (process.platform === 'win32') skip('64 GiB sparse files take real disk space on NTFS');
  const { fileBody } = await importLessonModule<{
    fileBody(file: { path: string; stats: fs.Stats; type: string }, start?: number, length?: number): AsyncIterable<Buffer> & { length: number };
  }>('static-files', 'serve-file.ts', ['fileBody']);
  const giant = path.join(site.top, 'giant.bin');
  const size = 64 * GiB;
  fs.writeFileSync(giant, '');
  fs.truncateSync(giant, size);
  const tail = Buffer.from('the last 16 byte');
  const fd = fs.openSync(giant, 'r+');
  fs.writeSync(fd, tail, 0, tail.length, size - tail.length);
  fs.closeSync(fd);
  const file = { path: giant, stats: fs.statSync(giant), type: 'application/octet-stream' };

  const middle = { path: path.join(site.root, 'medium.bin'), stats: fs.statSync(path.join(site.root, 'medium.bin')), type: 'application/octet-stream' };
  const slice = await within(
    collect(fileBody(middle, 1000, 70_000)),
    5000,
    'fileBody(medium.bin, 1000, 70000) to yield its bytes',
    'Read at a position: handle.read(buffer, 0, n, position), starting at start.',
  );
  check(slice.equals(pattern(1000, 70_000)), {
    message: `Expected fileBody(file, 1000, 70000) to yield bytes 1000 to 70999 of the file (${byteCount(70_000)}), received ${byteCount(slice.length)}${slice.length === 70_000 ? ' that differ' : ''}.`,
    hint: 'Start reading at position start, and stop after length bytes.',
  });
  const last = await within(
    collect(fileBody(file, size - 16, 16)),
    5000,
    'fileBody(64 GiB file, size - 16, 16) to yield the last 16 bytes',
    'Read at the position: FileHandle.read(buffer, 0, n, position). Reading from 0 and throwing bytes away takes minutes here.',
  );
  check(last.equals(tail), {
    message: `Expected the last 16 bytes of the file, ${JSON.stringify(tail.toString())}, received ${byteCount(last.length)}: ${JSON.stringify(last.toString('latin1'))}.`,
    hint: 'Start reading at position start.',
  });
});

test.for([
  ['rewritten with the same size and a later mtime', 'same-size'],
  ['grown by a line', 'grown'],
] as const)('fileBody sends nothing of a file that changed after stat(): %s', async ([what, change]) => {
  const { fileBody } = await importLessonModule<{
    fileBody(file: { path: string; stats: fs.Stats; type: string }): AsyncIterable<Buffer> & { length: number };
  }>('static-files', 'serve-file.ts', ['fileBody']);
  const name = path.join(site.root, `changing-${change}.txt`);
  const before = Buffer.from('version 1 of the file: the head will promise these bytes.\n');
  fs.writeFileSync(name, before);
  const stats = fs.statSync(name); // what findFile() saw, and what the head was made from
  const after =
    change === 'same-size' ? Buffer.from(before.toString().replace('version 1', 'VERSION 2')) : Buffer.concat([before, Buffer.from('a line added later\n')]);
  fs.writeFileSync(name, after);
  // A later mtime for certain: two writes within the file system's clock tick may share one.
  fs.utimesSync(name, stats.atime, new Date(stats.mtimeMs + 5000));
  const pieces: Buffer[] = [];
  let failed = false;
  await within(
    (async () => {
      try {
        for await (const piece of fileBody({ path: name, stats, type: 'text/plain; charset=utf-8' })) pieces.push(piece);
      } catch {
        failed = true; // throwing is how a body says "stop": the connection closes
      }
    })(),
    5000,
    `fileBody() of a file ${what} since stat() to end`,
    'Compare the size and mtime of handle.stat() with the stats the head was made from; if they differ, throw before the first yield.',
  );
  const sent = Buffer.concat(pieces);
  check(sent.length === 0, {
    message: `Expected fileBody() to yield nothing of a file ${what} between stat() and open(), received ${byteCount(sent.length)}${failed ? ' before it threw' : ''}: ${quote(sent.subarray(0, 60))}.`,
    why: "The head (Content-Length, and in the next lessons ETag and Last-Modified) describes the file stat() saw. Bytes of another version under that head are a lie a client cannot detect: a cache stores them as the old version, a resumed download mixes two files. The README's rule: compare size and mtime again once the file is open, and send nothing if they differ.",
    spec: 'RFC 9110 §8.6 (Content-Length), §8.8 (validators describe the representation sent)',
    hint: 'In the generator, after fs.open(): const now = await handle.stat(); if now.size or now.mtimeMs differs from file.stats, throw (finally still closes the handle).',
  });
});

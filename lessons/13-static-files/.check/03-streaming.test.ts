// Hidden tests for static-files, part 3: a file goes out as a stream. A huge file to a client that
// stops reading keeps the server's memory flat; a file trickled to a slow client arrives intact;
// every file handle is closed, however the response ends; a file that shrinks mid-way is never
// padded with bytes that are not in it.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  serverTest,
  check,
  byteCount,
  importLessonModule,
  request,
  readResponse,
  readResponseHead,
  within,
  LessonFailure,
  quote,
  type RawClient,
  type Server,
} from '#harness/testing/index.ts';
import { makeSite, openFilesUnder } from './tree.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** Bytes at position p are PATTERN(p): a wrong byte anywhere shows, and nothing is random. */
function pattern(start: number, length: number): Buffer {
  // Buffer.alloc repeats a Buffer given as the fill: 251 bytes, starting where `start` falls.
  return Buffer.alloc(length, Buffer.from(Array.from({ length: 251 }, (_, i) => (start + i) % 251)));
}

const RANDOM = randomBytes(4 * MiB);
const site = makeSite({ 'random.bin': RANDOM, 'small.bin': pattern(0, 100 * 1024), 'medium.bin': pattern(0, 2 * MiB) });
// Sparse: a 1 GiB file that takes no disk space (the file system stores the hole, reads give zeros).
const HUGE = path.join(site.root, 'huge.bin');
fs.writeFileSync(HUGE, '');
fs.truncateSync(HUGE, GiB);

// A long idle timeout: these tests pause on purpose.
const test = serverTest('static-files', { args: ['--root', site.root, '--idle-timeout', '30000'] });

/**
 * Memory the server may gain while it streams 1 GiB to a client that stopped reading. Measured on
 * Linux (Node 20, 20 runs, loaded 2-core machine): the reference gains 5.1–7.5 MiB of RSS; reading
 * the file whole gains the whole GiB.
 */
const MAX_GROWTH = 64 * MiB;

const STREAM =
  'Read the file a piece at a time (FileHandle.read into a new Buffer), and yield each piece: the writer sends it and waits for "drain" before it asks for the next.';

async function openFiles(server: Server): Promise<number | undefined> {
  return openFilesUnder(server.program.pid, site.root);
}

/**
 * Waits (bounded) for the server to hold no file under the root open; fails with the count. A
 * FileHandle nobody closed may also have been closed by the garbage collector in the meantime,
 * which Node reports with a warning: that counts as a leak too (it only hides it for a while).
 */
async function expectNoOpenFiles(server: Server, after: string, hint: string, since: number): Promise<void> {
  let open = await openFiles(server);
  const deadline = performance.now() + 3000;
  while (open !== undefined && open > 0 && performance.now() < deadline) {
    await delay(20);
    open = await openFiles(server);
  }
  await delay(100); // a warning printed a moment ago is still on its way through the pipe
  const collectedLater = server.program.output.find((line) => line.at >= since && /Closing file descriptor \d+ on garbage collection/.test(line.text));
  check(collectedLater === undefined, {
    message: `Expected the server to close every file it opened ${after}, but Node had to close one for it: "${collectedLater?.text}".`,
    why: 'A FileHandle that is never closed keeps its descriptor until the garbage collector happens to find it (Node warns when it does).',
    hint,
  });
  check(open === undefined || open === 0, {
    message: `Expected the server to hold no file under the root open ${after}, but it holds ${open} open file handle${open === 1 ? '' : 's'}.`,
    why: 'Each open file holds a descriptor, and a process gets a limited number (often 1024). A server that leaks one per aborted download stops serving anything after a while (EMFILE).',
    spec: 'Node.js docs: fs.promises FileHandle (close)',
    hint,
  });
}

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
    'after the client reset in the middle of the body',
    'Close the FileHandle in a finally block around the read loop: for await calls return() on your generator when the writer stops, and finally runs.',
    since,
  );
});

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

test('closes every file handle: after 200 requests, many of them aborted, none is left open', async ({ server, skip }) => {
  if ((await openFiles(server)) === undefined) skip('open files cannot be counted here (no /proc, no lsof)');
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
    'after 200 requests (full GETs, HEADs, 404s, and GETs reset before, at and after the head)',
    'Open the file only when the body is read (inside the generator), and close it in finally: a HEAD never reads its body, and a reset stops the read loop.',
    since,
  );
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

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of body) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** The body's bytes until `length` of them arrived or the server closed, whichever comes first. */
async function readUntilCloseOrLength(client: RawClient, length: number, timeoutMs: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let got = 0;
  while (got < length) {
    try {
      const piece = await client.readExactly(Math.min(MiB, length - got), {
        timeoutMs,
        why: 'The file shrank: the server must either close the connection or (wrongly) go on.',
      });
      pieces.push(piece);
      got += piece.length;
    } catch (error) {
      if (!(error instanceof LessonFailure) || client.state === 'open') throw error;
      pieces.push(await client.readFor(0));
      break;
    }
  }
  return Buffer.concat(pieces);
}

function firstWrongByte(body: Buffer): number {
  if (body.equals(pattern(0, body.length))) return -1;
  for (let i = 0; i < body.length; i++) if (body[i] !== i % 251) return i;
  return -1;
}

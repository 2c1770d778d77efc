// Hidden tests for range-requests, part 3: the edges of real files. An empty file, a download
// resumed where it broke off, and a range at the end of a 64 GiB (sparse) file, which must be read
// from its offset: reading from 0 and skipping would take minutes. Last, what the lessons before
// built still answers as it did, and one policy holds everywhere (harness/testing/earlier-lessons.ts):
// those cases need no files, so they share this program rather than pay for a program of their own.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  serverTest,
  check,
  earlierLessonsCases,
  exchange,
  httpCases,
  request,
  readResponseHead,
  makeTree,
  byteCount,
  type HttpResponse,
} from '#harness/testing/index.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const BLOB = randomBytes(2 * MiB);
const root = makeTree({ 'empty.bin': '', 'blob.bin': BLOB });
const GIANT_SIZE = 64 * GiB;
const TAIL = Buffer.from('…the end of 64 GiB\n');
if (process.platform !== 'win32') {
  // Sparse: 64 GiB that take no disk space, with a few real bytes at the very end.
  const giant = path.join(root, 'giant.bin');
  fs.writeFileSync(giant, '');
  fs.truncateSync(giant, GIANT_SIZE);
  const fd = fs.openSync(giant, 'r+');
  fs.writeSync(fd, TAIL, 0, TAIL.length, GIANT_SIZE - TAIL.length);
  fs.closeSync(fd);
}
const test = serverTest('range-requests', { args: ['--root', root] });

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

// Each test asks on connections of its own, and counts nothing in the program: they run at once.
test.concurrent.for([['bytes=0-'], ['bytes=0-0'], ['bytes=-5']])(
  'answers %s on an empty file with 200 and no body (or 416 */0), never a 206',
  async ([value], { server }) => {
    const client = await server.connect();
    const response: HttpResponse = await exchange(client, request({ target: '/empty.bin', headers: [['Range', value!]] }), {
      what: `the response to "Range: ${value}" on an empty file`,
    });
    const ok = (response.status === 200 && response.body.length === 0) || (response.status === 416 && response.header('content-range') === 'bytes */0');
    check(ok, {
      message: `Expected 200 with an empty body (or 416 with "Content-Range: bytes */0") for "Range: ${value}" on an empty file, received ${response.summary()}${response.header('content-range') ? ` with "Content-Range: ${response.header('content-range')}"` : ''}.`,
      why: 'An empty file has no byte to send: a 206 would need "Content-Range: bytes 0--1/0", which is no range at all. A server may ignore Range on an empty file (200), or answer 416.',
      spec: 'RFC 9110 §14.1.2, §14.2, §15.5.17',
      hint: 'When the file is empty, ignore the Range field.',
    });
  },
);

test.concurrent('resumes a broken download: bytes=N- from where it stopped completes the file exactly', async ({ server }) => {
  const first = await server.connect('download');
  await first.send(request({ target: '/blob.bin' }));
  const head = await readResponseHead(first, { what: 'the response to GET /blob.bin (2 MiB)' });
  check(head.status === 200, { message: `Expected 200 for GET /blob.bin, received ${head.summary()}.` });
  const part = await first.readExactly(700_001, { timeoutMs: 5000 });
  first.reset(); // the connection breaks after 700001 bytes
  const second = await server.connect('resume');
  const rest = await exchange(second, request({ target: '/blob.bin', headers: [['Range', `bytes=${part.length}-`]] }), {
    what: `the response to "Range: bytes=${part.length}-"`,
    timeoutMs: 5000,
  });
  check(rest.status === 206 && rest.header('content-range') === `bytes ${part.length}-${BLOB.length - 1}/${BLOB.length}`, {
    message: `Expected 206 with "Content-Range: bytes ${part.length}-${BLOB.length - 1}/${BLOB.length}", received ${rest.summary().slice(0, 120)} with ${rest.header('content-range') === undefined ? 'no Content-Range' : `"Content-Range: ${rest.header('content-range')}"`}.`,
    why: 'curl -C - and download managers resume by asking for everything after the bytes they already have.',
    spec: 'RFC 9110 §14.1.2',
  });
  const whole = Buffer.concat([part, rest.body]);
  check(whole.equals(BLOB), {
    message: `Expected the first ${byteCount(part.length)} and the resumed ${byteCount(rest.body.length)} to make the file (SHA-256 ${sha(BLOB)}…), received ${byteCount(whole.length)} with SHA-256 ${sha(whole)}….`,
    why: 'The resumed part must start exactly at byte N: one byte early or late and the file is corrupt.',
    hint: 'bytes=N- is first = N, last = size - 1: fileBody(file, N, size - N).',
  });
});

test.concurrent('reads a range at the end of a 64 GiB file from its offset: bytes=-19 comes at once', async ({ server, skip }) => {
  if (process.platform === 'win32') skip('64 GiB sparse files take real disk space on NTFS');
  for (const value of [`bytes=-${TAIL.length}`, `bytes=${GIANT_SIZE - TAIL.length}-`]) {
    const client = await server.connect();
    const response = await exchange(client, request({ target: '/giant.bin', headers: [['Range', value]] }), {
      what: `the response to "Range: ${value}" on a 64 GiB file`,
      timeoutMs: 5000,
      why: 'A correct server reads 19 bytes at their position and answers in milliseconds. Reading the file from 0 and throwing bytes away takes minutes for 64 GiB.',
      hint: 'fileBody(file, first, length) reads at the position first: pass first, never 0.',
    });
    check(response.status === 206 && response.body.equals(TAIL), {
      message: `Expected 206 with the file's last ${TAIL.length} bytes, ${JSON.stringify(TAIL.toString())}, received ${response.summary()}.`,
      hint: 'fileBody(file, first, last - first + 1).',
    });
  }
});

httpCases(test, earlierLessonsCases(), { concurrent: true });

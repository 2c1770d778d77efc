// Hidden tests for range-requests, part 2: several ranges in one multipart/byteranges body, parsed
// back and compared byte for byte; an exact Content-Length; and the abuse rule of the README.
// Then the edges of real files: an empty file, a download resumed where it broke off, and a range
// at the end of a 64 GiB (sparse) file, which must be read from its offset: reading from 0 and
// skipping would take minutes. Last, what the lessons before built still answers as it did, and
// one policy holds everywhere (harness/testing/earlier-lessons.ts). They all share this program:
// one of their own would start only once a file before it had ended, and cost its start again.

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
  checkHeader,
  type Server,
  type HttpResponse,
} from '#harness/testing/index.ts';
import { vi } from 'vitest';
import { boundaryOf, checkSlices, type Slice } from './parts.ts';

const DATA = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + (i >> 8)) % 256));
const TEXT = Buffer.from('line 01: abcdefghijklmnopqrstuv\n'.repeat(40)); // 1280 bytes of text
/** 3200 bytes, as the README's alphabet.txt: two halves of 1600. */
const HALVES = Buffer.from(Array.from({ length: 3200 }, (_, i) => (i * 13 + (i >> 7)) % 256));
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const BLOB = randomBytes(2 * MiB);
const root = makeTree({ 'data.bin': DATA, 'page.txt': TEXT, 'halves.bin': HALVES, 'empty.bin': '', 'blob.bin': BLOB });
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
// Many tests here wait for something not to happen (a close, more bytes), and their waits overlap:
// 12 at a time rather than Vitest's 5 (this file only), as in 01-ranges.
vi.setConfig({ maxConcurrency: 12 });

async function ask(server: Server, target: string, value: string, method = 'GET'): Promise<HttpResponse> {
  const client = await server.connect();
  return exchange(client, request({ method, target, headers: [['Range', value]] }), {
    method,
    what: `the response to ${method} ${target} with "Range: ${value}"`,
  });
}

const RULE =
  "The README's rule: more than 16 ranges, or ranges that overlap, get the whole file (200). Otherwise a client could make a request of a few bytes cost many times the file.";
const RULE_SPEC = 'RFC 9110 §14.2 (a server MAY ignore … overlapping ranges, many small ranges), §17.15';

// Each test asks on connections of its own, and the one that adds a file adds its own: they run
// at once.
test.concurrent.for([
  [
    'two ranges (bytes=0-9,500-509)',
    '/data.bin',
    'bytes=0-9,500-509',
    [
      { first: 0, last: 9 },
      { first: 500, last: 509 },
    ],
  ],
  [
    'ranges with spaces after the commas (bytes=0-4, 10-14, 20-24)',
    '/data.bin',
    'bytes=0-4, 10-14, 20-24',
    [
      { first: 0, last: 4 },
      { first: 10, last: 14 },
      { first: 20, last: 24 },
    ],
  ],
  [
    'ranges out of order, kept in the order asked (bytes=900-909,0-9)',
    '/data.bin',
    'bytes=900-909,0-9',
    [
      { first: 900, last: 909 },
      { first: 0, last: 9 },
    ],
  ],
  [
    'a suffix among them (bytes=0-0,-1)',
    '/data.bin',
    'bytes=0-0,-1',
    [
      { first: 0, last: 0 },
      { first: 999, last: 999 },
    ],
  ],
  [
    'ranges that touch but do not overlap (bytes=0-9,10-19)',
    '/data.bin',
    'bytes=0-9,10-19',
    [
      { first: 0, last: 9 },
      { first: 10, last: 19 },
    ],
  ],
  [
    'ranges of a text file, each part typed text/plain (bytes=0-31,64-95)',
    '/page.txt',
    'bytes=0-31,64-95',
    [
      { first: 0, last: 31 },
      { first: 64, last: 95 },
    ],
  ],
  [
    'exactly 16 ranges, the most the rule allows',
    '/data.bin',
    `bytes=${Array.from({ length: 16 }, (_, i) => `${i * 10}-${i * 10 + 4}`).join(',')}`,
    Array.from({ length: 16 }, (_, i) => ({ first: i * 10, last: i * 10 + 4 })),
  ],
] as Array<[string, string, string, Slice[]]>)('sends %s as multipart/byteranges, each part exact', async ([, target, value, slices], { server }) => {
  const response = await ask(server, target, value);
  const file = target === '/page.txt' ? TEXT : DATA;
  checkHeader(response, 'Content-Type', /^multipart\/byteranges;\s*boundary=/i, {
    why: 'Several ranges are sent as one body of type multipart/byteranges; its boundary parameter separates the parts.',
    spec: 'RFC 9110 §14.6, §15.3.7.2',
    hint: 'Content-Type: multipart/byteranges; boundary=<something that is not in the file, e.g. random hex>.',
  });
  checkHeader(response, 'Accept-Ranges', 'bytes', {
    why: 'The README: Accept-Ranges on every file response, a multipart 206 as well.',
    spec: 'RFC 9110 §14.3',
    hint: 'Put ["Accept-Ranges", "bytes"] on the multipart 206 too.',
  });
  // The harness already read exactly Content-Length bytes: a wrong length shows as a part that
  // does not parse, or as bytes left over for the next response (checked below).
  checkSlices(response, file, target === '/page.txt' ? 'text/plain; charset=utf-8' : 'application/octet-stream', slices, `the response to "Range: ${value}"`);
});

test.concurrent('frames a multipart body by its exact Content-Length: the next response on the connection parses', async ({ server }) => {
  const client = await server.connect();
  for (const value of ['bytes=0-9,20-29', 'bytes=-5,0-0,100-199', 'bytes=1-1,3-3']) {
    const response = await exchange(client, request({ target: '/data.bin', headers: [['Range', value]] }), {
      what: `the response to "Range: ${value}" (on one connection with others)`,
      why: "Content-Length must count every byte of the multipart body: each part's boundary line, fields, empty line, bytes and CRLF, and the closing boundary. Off by one, and the next response starts in the wrong place.",
      hint: 'Add up the lengths of every piece you will send before sending the first.',
    });
    check(response.status === 206, { message: `Expected 206 for "Range: ${value}", received ${response.summary()}.` });
    const boundary = /boundary=("?)([^";]+)\1/.exec(response.header('content-type') ?? '')?.[2] ?? '';
    check(response.body.subarray(-(boundary.length + 6)).toString('latin1') === `--${boundary}--\r\n`, {
      message: `Expected the multipart body to end with "--${boundary}--\\r\\n" exactly at its Content-Length (${byteCount(response.body.length)}), but it ends with ${JSON.stringify(response.body.subarray(-20).toString('latin1'))}.`,
      why: 'The closing boundary ends the body; Content-Length must end right after it.',
      spec: 'RFC 2046 §5.1.1',
      hint: 'Count the closing "--boundary--\\r\\n" in the length.',
    });
  }
});

test.concurrent('sends only the ranges that fit: bytes=0-9,5000-6000 is the first range alone', async ({ server }) => {
  const response = await ask(server, '/data.bin', 'bytes=0-9,5000-6000');
  checkSlices(response, DATA, 'application/octet-stream', [{ first: 0, last: 9 }], 'the response to "Range: bytes=0-9,5000-6000"');
});

test.concurrent('sends every range that fits, also those after one that does not: bytes=0-9,5000-6000,20-29 is two parts', async ({ server }) => {
  const response = await ask(server, '/data.bin', 'bytes=0-9,5000-6000,20-29');
  checkSlices(
    response,
    DATA,
    'application/octet-stream',
    [
      { first: 0, last: 9 },
      { first: 20, last: 29 },
    ],
    'the response to "Range: bytes=0-9,5000-6000,20-29"',
  );
});

test.concurrent.for([
  ['17 ranges, one more than the rule allows', `bytes=${Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10 + 4}`).join(',')}`],
  ['200 one-byte ranges', `bytes=${Array.from({ length: 200 }, (_, i) => `${i * 2}-${i * 2}`).join(',')}`],
  ['the whole file asked for three times (bytes=0-,0-,0-)', 'bytes=0-,0-,0-'],
  ['overlapping ranges (bytes=0-499,250-749)', 'bytes=0-499,250-749'],
  ['a range inside another (bytes=0-999,10-19)', 'bytes=0-999,10-19'],
  ['the same byte twice (bytes=5-5,5-5)', 'bytes=5-5,5-5'],
  ['ranges that share only their edge byte (bytes=0-9,9-19)', 'bytes=0-9,9-19'],
  ['two ranges that overlap with another range asked for between them (bytes=0-9,100-109,5-14)', 'bytes=0-9,100-109,5-14'],
  [
    'both halves of a 3200-byte file asked for 8 times (bytes=0-1599,1600-3199,0-1599,…: 16 ranges, no two neighbours overlapping)',
    `bytes=${Array.from({ length: 8 }, () => '0-1599,1600-3199').join(',')}`,
    '/halves.bin',
  ],
] as Array<[string, string, string?]>)('sends the whole file once (200) for %s', async ([, value, target = '/data.bin'], { server }) => {
  const file = target === '/halves.bin' ? HALVES : DATA;
  const response = await ask(server, target, value);
  check(response.status === 200 && response.body.equals(file), {
    message: `Expected 200 with the whole file (${byteCount(file.length)}) for "Range: ${value.length > 60 ? `${value.slice(0, 60)}…` : value}", received ${response.summary().slice(0, 200)}${response.body.length !== file.length ? ` (${byteCount(response.body.length)})` : ''}.`,
    why: RULE,
    spec: RULE_SPEC,
    hint: 'After clamping: more than 16 ranges, or any two that share a byte, wherever they stand in the list (sort a copy by first, then compare each first with the largest last before it) → send the whole file, 200.',
  });
  check(response.header('accept-ranges') === 'bytes', {
    message: `Expected the whole file sent instead of the ranges to say "Accept-Ranges: bytes", received ${response.header('accept-ranges') === undefined ? 'no Accept-Ranges' : `"Accept-Ranges: ${response.header('accept-ranges')}"`}.`,
    why: "The README: Accept-Ranges on every file response. Ranges are still supported; only this request's set was refused.",
    spec: 'RFC 9110 §14.3',
    hint: 'Put ["Accept-Ranges", "bytes"] on the 200 too, whatever made it a 200.',
  });
});

test.concurrent('chooses a boundary that is not in the file: a file that contains the last boundary still parses', async ({ server }) => {
  // RFC 2046 §5.1.1: the boundary must not occur in any part. A fixed boundary is safe only until a
  // file contains it; here the check writes the boundary of a first answer into a file.
  const first = await ask(server, '/data.bin', 'bytes=0-9,500-509');
  const seen = boundaryOf(first.header('content-type'));
  check(first.status === 206 && seen !== undefined, {
    message: `Expected 206 multipart/byteranges for "Range: bytes=0-9,500-509", received ${first.summary()} with "Content-Type: ${first.header('content-type')}".`,
    spec: 'RFC 9110 §14.6',
  });
  const trap = Buffer.from(
    `A file that quotes a multipart body:\r\n--${seen}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/1\r\n\r\nx\r\n--${seen}--\r\n${'filler line\n'.repeat(20)}`,
    'latin1',
  );
  fs.writeFileSync(path.join(root, 'quotes-boundary.txt'), trap);
  const second = await ask(server, '/quotes-boundary.txt', `bytes=0-99,150-199`);
  const boundary = boundaryOf(second.header('content-type'));
  check(boundary === undefined || !trap.includes(`--${boundary}`), {
    message: `Expected a boundary that does not occur in the file, received "boundary=${boundary}" again, and this file contains "--${boundary}" (written there after your first answer): a client splits the part where it occurs.`,
    why: 'A multipart body is cut wherever "--" and the boundary start a line, so the boundary must not occur inside any part. A server cannot know every file in advance; a long random boundary, new for each response, makes a collision practically impossible.',
    spec: 'RFC 2046 §5.1.1; RFC 9110 §14.6',
    hint: "crypto.randomBytes(12).toString('hex') for each multipart response.",
  });
  checkSlices(
    second,
    trap,
    'text/plain; charset=utf-8',
    [
      { first: 0, last: 99 },
      { first: 150, last: 199 },
    ],
    'the response to "Range: bytes=0-99,150-199" on a file that quotes a multipart body',
  );
});

test.concurrent('answers HEAD with several ranges with the head GET would get, Content-Length included', async ({ server }) => {
  const get = await ask(server, '/data.bin', 'bytes=0-9,500-509');
  const head = await ask(server, '/data.bin', 'bytes=0-9,500-509', 'HEAD');
  check(
    head.status === 206 && head.header('content-length') === get.header('content-length') && /^multipart\/byteranges/i.test(head.header('content-type') ?? ''),
    {
      message: `Expected HEAD to get GET's head (206, multipart/byteranges, "Content-Length: ${get.header('content-length')}"), received ${head.summary()} with "Content-Length: ${head.header('content-length')}" and "Content-Type: ${head.header('content-type')}".`,
      spec: 'RFC 9110 §9.3.2',
      hint: 'The length of the multipart body is known before it is sent: HEAD sends it too.',
    },
  );
});

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

// Hidden tests for range-requests, part 2: several ranges in one multipart/byteranges body, parsed
// back and compared byte for byte; an exact Content-Length; and the abuse rule of the README.

import fs from 'node:fs';
import path from 'node:path';
import { serverTest, check, exchange, request, makeTree, byteCount, checkHeader, type Server, type HttpResponse } from '#harness/testing/index.ts';
import { boundaryOf, checkSlices, type Slice } from './parts.ts';

const DATA = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + (i >> 8)) % 256));
const TEXT = Buffer.from('line 01: abcdefghijklmnopqrstuv\n'.repeat(40)); // 1280 bytes of text
/** 3200 bytes, as the README's alphabet.txt: two halves of 1600. */
const HALVES = Buffer.from(Array.from({ length: 3200 }, (_, i) => (i * 13 + (i >> 7)) % 256));
const root = makeTree({ 'data.bin': DATA, 'page.txt': TEXT, 'halves.bin': HALVES });
const test = serverTest('range-requests', { args: ['--root', root] });

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

// Hidden tests for range-requests, part 1: one range at a time, at the edges of a 1000-byte file,
// ranges to ignore, 416, HEAD, and framing on a kept-alive connection. A table of cases.

import { vi } from 'vitest';
import { serverTest, httpCases, makeTree, type HttpCase, type RequestSpec, type Teaching } from '#harness/testing/index.ts';

/** 1000 bytes, every value 0–255 among them (bytes over 0x7f too), each position distinct mod 251. */
const DATA = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + (i >> 8)) % 256));
const SIZE = DATA.length;
const root = makeTree({ 'data.bin': DATA, 'empty.bin': '', 'one.txt': 'x', 'docs/notes.txt': 'nested\n' });
const test = serverTest('range-requests', { args: ['--root', root] });
// Most cases wait 100 ms after their response to see the connection stay open with nothing more
// on it (expectStillOpen), and their waits overlap: with Vitest's 5 at a time the file took ~7
// rounds of them. 12 at a time is what one program serves without effort (12 connections, a
// 1000-byte file each), and the waits prove the same (this file only: Vitest resets it after).
vi.setConfig({ maxConcurrency: 12 });

const RANGES = 'RFC 9110 §14.1.2 (byte ranges), §14.4 (Content-Range), §15.3.7 (206)';
const BYTES = 'application/octet-stream';

function range(value: string, extra: Array<[string, string]> = []): RequestSpec {
  return { target: '/data.bin', headers: [['Range', value], ...extra] };
}

/** A Range that must give 206 with bytes first..last. */
function slice(name: string, value: string, first: number, last: number, teaching: Teaching = {}): HttpCase {
  return {
    name,
    send: range(value),
    expect: {
      status: 206,
      fields: {
        'Content-Range': `bytes ${first}-${last}/${SIZE}`,
        'Content-Length': String(last - first + 1),
        'Content-Type': BYTES,
      },
      body: DATA.subarray(first, last + 1),
      close: false,
    },
    spec: RANGES,
    hint: 'Parse first and last (both included), clamp last to size - 1, and send fileBody(file, first, last - first + 1) with "Content-Range: bytes first-last/size".',
    ...teaching,
  };
}

/** A Range field to ignore: the whole file, 200, no Content-Range. */
function ignored(name: string, value: string, why: string, hint: string): HttpCase {
  return {
    name,
    send: range(value),
    expect: { status: 200, fields: { 'Content-Range': null, 'Content-Length': String(SIZE) }, body: DATA, close: false },
    why,
    spec: 'RFC 9110 §14.2 (a Range that is invalid or of another unit is ignored)',
    hint,
  };
}

/** A Range no byte of which is in the file: 416 with Content-Range: bytes *\/size. */
function unsatisfiable(
  name: string,
  value: string,
  why: string,
  hint = 'When no range has a byte inside the file, answer 416 with "Content-Range: bytes */size".',
): HttpCase {
  return {
    name,
    send: range(value),
    expect: { status: 416, fields: { 'Content-Range': `bytes */${SIZE}` }, close: false },
    why,
    spec: 'RFC 9110 §15.5.17 (416), §14.4 (unsatisfied-range)',
    hint,
  };
}

// Cases on connections of their own, at once: most wait to see the connection stay open.
httpCases(
  test,
  [
    {
      name: 'sends the whole file with Accept-Ranges: bytes when there is no Range',
      send: { target: '/data.bin' },
      expect: { status: 200, fields: { 'Accept-Ranges': 'bytes', 'Content-Length': String(SIZE), 'Content-Range': null }, body: DATA },
      why: 'Accept-Ranges: bytes tells a client (a video player, a download manager) that it may ask for parts of this file.',
      spec: 'RFC 9110 §14.3',
      hint: 'Add ["Accept-Ranges", "bytes"] to every file response.',
    },
    slice('sends bytes=0-99 as 206 with the first 100 bytes', 'bytes=0-99', 0, 99),
    slice('sends the first byte alone: bytes=0-0', 'bytes=0-0', 0, 0, { why: 'Both ends are included: 0-0 is one byte.' }),
    slice('sends the last byte alone: bytes=999-999', 'bytes=999-999', 999, 999),
    slice('sends a range in the middle: bytes=500-755', 'bytes=500-755', 500, 755),
    slice('sends from a position to the end: bytes=990-', 'bytes=990-', 990, 999, { why: 'Without a last-pos, the range runs to the end of the file.' }),
    slice('sends the last 10 bytes for the suffix range bytes=-10', 'bytes=-10', 990, 999, {
      why: '"-10" is a suffix range: the LAST 10 bytes, not the bytes 0 to 10.',
      hint: 'For "-N": first = max(0, size - N), last = size - 1.',
    }),
    slice('sends the whole file as 206 for bytes=-1000 (a suffix as long as the file)', 'bytes=-1000', 0, 999),
    slice('clamps a suffix longer than the file: bytes=-5000 is bytes 0-999', 'bytes=-5000', 0, 999, {
      why: 'A suffix longer than the file means all of it.',
      hint: 'first = max(0, size - N).',
    }),
    slice('clamps a last-pos past the end: bytes=900-5000 is bytes 900-999', 'bytes=900-5000', 900, 999, {
      why: 'A last-pos at or past the end means "to the end".',
      hint: 'last = min(last, size - 1).',
    }),
    slice('clamps a last-pos too large for a number: bytes=0-99999999999999999999', 'bytes=0-99999999999999999999', 0, 999),
    slice('clamps a range that starts at the last byte: bytes=999-1000', 'bytes=999-1000', 999, 999),
    slice('reads the unit whatever its case: Bytes=0-4', 'Bytes=0-4', 0, 4, { why: 'Range unit names are case-insensitive.', spec: 'RFC 9110 §14.1' }),
    slice('skips an empty list element: bytes=0-4,', 'bytes=0-4,', 0, 4, {
      why: 'A list may carry empty elements, which a recipient skips.',
      spec: 'RFC 9110 §5.6.1',
    }),
    {
      name: 'reads the field name in any case: range: and RANGE:',
      exchanges: [
        {
          send: { target: '/data.bin', headers: [['range', 'bytes=10-19']] },
          expect: { status: 206, fields: { 'Content-Range': `bytes 10-19/${SIZE}` }, body: DATA.subarray(10, 20) },
        },
        {
          send: { target: '/data.bin', headers: [['RANGE', 'bytes=20-29']] },
          expect: { status: 206, fields: { 'Content-Range': `bytes 20-29/${SIZE}` }, body: DATA.subarray(20, 30) },
        },
      ],
      why: 'Field names are case-insensitive.',
      spec: 'RFC 9110 §5.1',
      hint: "fieldValues(head.headers, 'range') compares names case-insensitively.",
    },
    unsatisfiable(
      'answers a range that starts at the end (bytes=1000-) with 416 and Content-Range: bytes */1000',
      'bytes=1000-',
      "The file's bytes are 0 to 999: a range starting at 1000 names none of them.",
    ),
    unsatisfiable(
      'answers a range far past the end (bytes=99999999999999999999-) with 416',
      'bytes=99999999999999999999-',
      'No byte of the file is that far out.',
    ),
    unsatisfiable(
      'answers the empty suffix bytes=-0 with 416',
      'bytes=-0',
      'A suffix of zero bytes names no byte: it is not satisfiable.',
      'A suffix range "-N" is satisfiable only when N > 0.',
    ),
    {
      name: 'says Accept-Ranges: bytes on a 206 too (bytes=0-99)',
      send: range('bytes=0-99'),
      expect: { status: 206, fields: { 'Accept-Ranges': 'bytes' } },
      why: 'The README: Accept-Ranges on every file response, the 206 included: a client that got one range learns it may ask for more.',
      spec: 'RFC 9110 §14.3',
      hint: 'Start the fields of every file response with ["Accept-Ranges", "bytes"].',
    },
    {
      name: 'says Accept-Ranges: bytes on a 416 too (bytes=5000-)',
      send: range('bytes=5000-'),
      expect: { status: 416, fields: { 'Accept-Ranges': 'bytes', 'Content-Range': `bytes */${SIZE}` } },
      why: 'The README: Accept-Ranges on every file response. A 416 says this range missed, not that ranges are unsupported: with Accept-Ranges and Content-Range: bytes */1000 the client knows it may ask again, for bytes that exist.',
      spec: 'RFC 9110 §14.3 (Accept-Ranges), §15.5.17 (416)',
      hint: 'Put ["Accept-Ranges", "bytes"] on the 416 as on the 200 and the 206: start every file response\'s fields from it.',
    },
    ignored(
      'ignores a range whose last-pos is before its first-pos (bytes=5-2): 200',
      'bytes=5-2',
      'last-pos < first-pos makes the range, and so the whole field, invalid: it is ignored, not answered with 416.',
      'Check last >= first while parsing; if not, ignore the field.',
    ),
    ignored(
      'ignores bytes=1x-5 (not digits): 200',
      'bytes=1x-5',
      'first-pos is 1*DIGIT. parseInt("1x") is 1, but "1x" is not a number.',
      'Match each range with /^(\\d+)-(\\d*)$/ or /^-(\\d+)$/; parseInt() accepts trailing garbage.',
    ),
    ignored(
      'ignores bytes=0-4,abc (one invalid range spoils the field): 200',
      'bytes=0-4,abc',
      'A ranges-specifier with any invalid range-spec is invalid as a whole.',
      'If any element fails to parse, ignore the whole field.',
    ),
    ignored('ignores an empty range set (bytes=): 200', 'bytes=', 'range-set is 1#range-spec: at least one.', 'No range after "bytes=": ignore the field.'),
    ignored(
      'ignores spaces around "=" (bytes = 0-4): 200',
      'bytes = 0-4',
      'The grammar has no whitespace around "=": this is not a bytes range.',
      'Match /^([a-zA-Z]+)=(.*)$/ on the field value; no trimming inside.',
    ),
    ignored(
      'ignores another unit (items=0-4): 200',
      'items=0-4',
      'A server MUST ignore a range unit it does not know.',
      'Only "bytes" (any case) is a unit you serve.',
    ),
    {
      name: 'says Accept-Ranges: bytes when it ignores an invalid Range (bytes=5-2)',
      send: range('bytes=5-2'),
      expect: { status: 200, fields: { 'Accept-Ranges': 'bytes' } },
      why: 'The README: Accept-Ranges on every file response. An ignored Range gets the 200 a request without one gets, Accept-Ranges included.',
      spec: 'RFC 9110 §14.2, §14.3',
      hint: 'Put ["Accept-Ranges", "bytes"] on every file response, whatever the Range field held.',
    },
    {
      name: 'ignores two Range fields (not one valid field): 200',
      send: {
        target: '/data.bin',
        headers: [
          ['Range', 'bytes=0-4'],
          ['Range', 'bytes=10-14'],
        ],
      },
      expect: { status: 200, body: DATA, fields: { 'Content-Range': null } },
      why: 'Range is a single ranges-specifier: two field lines combine into "bytes=0-4, bytes=10-14", which is invalid.',
      spec: 'RFC 9110 §5.3, §14.2',
      hint: 'Use the Range field only when there is exactly one.',
    },
    {
      name: 'answers HEAD with a Range with the head GET would get: 206, Content-Range, Content-Length of the range',
      send: { method: 'HEAD', target: '/data.bin', headers: [['Range', 'bytes=100-199']] },
      expect: { status: 206, fields: { 'Content-Range': `bytes 100-199/${SIZE}`, 'Content-Length': '100' }, close: false },
      spec: 'RFC 9110 §9.3.2 (HEAD), §14.2',
      hint: 'Answer HEAD exactly as GET; the writer leaves the body out.',
    },
    {
      name: 'answers POST with a Range with 405, no Content-Range',
      send: { method: 'POST', target: '/data.bin', headers: [['Range', 'bytes=0-4']], body: 'x' },
      expect: { status: 405, fields: { 'Content-Range': null, Allow: /^GET,\s*HEAD$/ } },
      spec: 'RFC 9110 §14.2 (Range is for GET)',
    },
    {
      name: 'answers a Range on a missing file with 404',
      send: { target: '/missing.bin', headers: [['Range', 'bytes=0-4']] },
      expect: { status: 404, fields: { 'Content-Range': null } },
    },
    {
      name: 'frames 206 and 416 responses on one kept-alive, pipelined connection',
      pipelined: true,
      exchanges: [
        { send: range('bytes=0-9'), expect: { status: 206, body: DATA.subarray(0, 10) } },
        { send: range('bytes=5000-'), expect: { status: 416, fields: { 'Content-Range': `bytes */${SIZE}` } } },
        { send: range('bytes=-3'), expect: { status: 206, body: DATA.subarray(997) } },
        { send: { method: 'HEAD', target: '/data.bin', headers: [['Range', 'bytes=0-499']] }, expect: { status: 206, fields: { 'Content-Length': '500' } } },
        { send: range('bytes=9-2'), expect: { status: 200, body: DATA } },
        { send: { target: '/one.txt', headers: [['Range', 'bytes=0-0']] }, expect: { status: 206, body: 'x', fields: { 'Content-Range': 'bytes 0-0/1' } } },
      ],
      spec: 'RFC 9112 §6.3, §9.3.2',
      hint: "Content-Length of a 206 is the slice's length; a 416 has its own short body.",
    },
  ],
  { concurrent: true },
);

// Hidden tests for http-request-head, part 3: the 8 KiB limit, exactly at it and one byte past it,
// also when a line's CR and LF arrive in different writes; reads that stay linear when a head
// trickles in a byte at a time; and the close after the response.

import type net from 'node:net';
import {
  serverTest,
  pairTest,
  httpCases,
  importLessonModule,
  check,
  checkLingeringClose,
  byteCount,
  request,
  within,
  type HttpCase,
} from '#harness/testing/index.ts';
import { MAX_HEAD, headOfSize } from './cases.ts';
import { countCopies } from './copies.ts';
import { lockstep } from './lockstep.ts';
import { checkParsed, loadParser, loadReader, parsesAs } from './parse.ts';

const test = serverTest('http-request-head');

const LIMIT = `The limit is ${MAX_HEAD} bytes, counted from the first byte of the request line through the CRLF of the empty line.`;
const TOO_BIG = 'RFC 6585 §5 (431 Request Header Fields Too Large); RFC 9112 §2.3 (a server needs a limit on what it reads)';

const atLimit = (target: string) => ({
  method: 'GET',
  target,
  version: 'HTTP/1.1',
  headers: [
    ['Host', 'example.test'],
    ['X-Pad', 'p'.repeat(MAX_HEAD - `GET ${target} HTTP/1.1\r\nHost: example.test\r\nX-Pad: `.length - 4)],
  ] as Array<[string, string]>,
});

function tooBig(name: string, bytes: Buffer, split: HttpCase['split'], why: string, hint: string): HttpCase {
  return { name, send: bytes, split, expect: { status: 431, close: true }, why: `${LIMIT} ${why}`, spec: TOO_BIG, hint };
}

const endless = Buffer.from(`GET /endless HTTP/1.1\r\nHost: example.test\r\n${'X-Filler: 0123456789abcdef0123456789abcdef\r\n'.repeat(250)}`, 'latin1');

httpCases(test, [
  parsesAs('accepts a head of exactly 8 KiB, arriving in pieces', headOfSize(MAX_HEAD, '/at-the-limit'), atLimit('/at-the-limit'), {
    split: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 192],
    why: `${LIMIT} This head is exactly that long, so it is accepted.`,
    hint: 'Look for the end of the head first; refuse only when 8192 bytes are buffered and no end is among them.',
  }),
  parsesAs(
    'accepts a head of exactly 8 KiB whose last CR and LF arrive in different writes',
    headOfSize(MAX_HEAD, '/split-at-the-limit'),
    atLimit('/split-at-the-limit'),
    {
      split: [MAX_HEAD - 1, 1],
      why: `${LIMIT} The first write is 8191 bytes ending in the CR of the empty line; the LF comes next. At that moment the head is not complete and not yet too big: wait for the next byte.`,
      hint: 'Refuse at 8192 bytes without an end, not at 8191; and let a CR at the end of the buffer wait for the byte after it.',
    },
  ),
  tooBig(
    'answers a head of 8193 bytes with 431 and closes',
    headOfSize(MAX_HEAD + 1, '/one-past'),
    'whole',
    'This head is one byte longer.',
    'Compare the head length with 8192 including the final CRLF CRLF.',
  ),
  tooBig(
    'answers 431 once 8192 bytes have come without an end, before the last LF arrives',
    headOfSize(MAX_HEAD + 1, '/one-past-split'),
    [MAX_HEAD, 1],
    'The first write is 8192 bytes without the end of the head: whatever comes next, the head is already too big, so the answer cannot wait for more.',
    'After each read, if 8192 bytes or more are buffered without an end of head, throw new HttpError(431, …) (>=, not >).',
  ),
  tooBig(
    'answers 431 to 8192 bytes without an end, and the client sends nothing more',
    headOfSize(MAX_HEAD + 1, '/stalled').subarray(0, MAX_HEAD),
    'whole',
    'Exactly 8192 bytes came and none of them ends the head; the client now waits for the answer. A server that checks "more than 8192" waits forever.',
    'Refuse as soon as the buffer holds 8192 bytes without an end: >=, not >.',
  ),
  tooBig(
    `answers a head that has sent ${byteCount(endless.length)} and no empty line yet with 431`,
    endless,
    'whole',
    'A client can send header lines forever. The server must stop buffering at the limit and answer, not wait for an empty line that may never come.',
    'After each read, if 8192 bytes or more are buffered without an end of head, throw new HttpError(431, …).',
  ),
]);

pairTest(`reads a ${byteCount(MAX_HEAD)} head that trickles in a byte at a time with work in proportion to its size`, async ({ pair, transcript }) => {
  const { readRequestHead } = await loadParser();
  const { BufferedReader } = await loadReader();
  const { Conn } = await importLessonModule<{ Conn: new (socket: net.Socket) => unknown }>('socket-promises', 'socket.ts', ['Conn']);
  const { peer, socket } = await pair();
  const reader = new BufferedReader(new Conn(socket));
  const head = headOfSize(MAX_HEAD, '/trickled');
  lockstep(
    peer,
    socket,
    [...head].map((byte) => Buffer.of(byte)),
    transcript,
    `${byteCount(head.length)} of one head, one byte at a time`,
  );
  const copies = countCopies();
  let parsed;
  try {
    parsed = await within(
      readRequestHead(reader),
      12_000,
      `readRequestHead to read a ${byteCount(head.length)} head sent one byte per read`,
      'Append each read to the buffer and search it for the end of the head.',
    );
  } finally {
    copies.stop();
  }
  check(parsed !== undefined, { message: 'Expected readRequestHead to return the head, received undefined.' });
  checkParsed(parsed, atLimit('/trickled'), 'a head sent one byte per read');
  const quadratic = (head.length * head.length) / 2;
  check(copies.bytes <= 16 * head.length, {
    message: `Expected reading a ${byteCount(head.length)} head in ${head.length} one-byte reads to copy a few times ${byteCount(head.length)} at most, but ${byteCount(copies.bytes)} were copied (copying everything buffered on every read would be about ${byteCount(quadratic)}).`,
    why: 'Buffer.concat([buffer, chunk]) copies every byte waiting, on every read: for a head that comes a byte at a time that is n²/2 byte copies, 33 million for 8 KiB, and a client that trickles many heads at once turns it into a CPU-bound server. The growable buffer of line-protocol appends in amortised constant time.',
    spec: 'line-protocol README, "A buffer that grows"',
    hint: 'Keep the bytes in your GrowableBuffer from ../03-line-protocol/buffer.ts: fill() appends the chunk, `buffer` is its view(), consume() copies out the bytes taken and then consumes them.',
  });
});

test('closes after the response with a lingering close: a client still sending gets the whole response and a FIN, never a reset', async ({ server }) => {
  const client = await server.connect('pipeliner');
  await checkLingeringClose(client, {
    send: Buffer.concat([
      request({ target: '/first', host: 'example.test' }),
      request({ method: 'POST', target: '/second', host: 'example.test', headers: [['Content-Length', '100000']] }),
    ]),
    expect: { status: 200 },
    more: Buffer.alloc(100_000, 0x62),
  });
});

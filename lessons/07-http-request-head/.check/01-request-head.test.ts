// Hidden tests for http-request-head, part 1: heads the server must read, whatever the cuts and
// the bytes, checked through the JSON it answers with; then parseRequestHead and the reader on
// their own. Most basic first: the first failure is the one to fix.

import type net from 'node:net';
import { serverTest, pairTest, httpCases, importLessonModule, check, quote, request, within } from '#harness/testing/index.ts';
import { cutAtLineEnds as piecesAtLineEnds, lockstep } from './lockstep.ts';
import { attempt, checkParsed, loadParser, loadReader, parsesAs, type Parsed, type Want } from './parse.ts';

const test = serverTest('http-request-head');

const SIMPLE = request({
  target: '/hello?name=web',
  host: 'example.test',
  headers: [
    ['User-Agent', 'check/1.0'],
    ['Accept', '*/*'],
  ],
});
const SIMPLE_PARSE: Want = {
  method: 'GET',
  target: '/hello?name=web',
  version: 'HTTP/1.1',
  headers: [
    ['Host', 'example.test'],
    ['User-Agent', 'check/1.0'],
    ['Accept', '*/*'],
  ],
};

/** Write sizes that cut `head` right after every CR and every LF. */
function cutAtLineEnds(head: Buffer): number[] {
  const sizes: number[] = [];
  let last = 0;
  head.forEach((byte, i) => {
    if (byte === 0x0d || byte === 0x0a) {
      sizes.push(i + 1 - last);
      last = i + 1;
    }
  });
  return sizes;
}

const CUT = request({
  target: '/cut',
  host: 'example.test',
  headers: [
    ['X-A', '1'],
    ['X-B', '2'],
  ],
});
const random = (i: number) =>
  request({
    target: `/random/${i}`,
    host: 'example.test',
    headers: [
      ['X-Round', String(i)],
      ['Accept', 'text/html,application/json;q=0.9'],
    ],
  });
const randomParse = (i: number): Want => ({
  method: 'GET',
  target: `/random/${i}`,
  version: 'HTTP/1.1',
  headers: [
    ['Host', 'example.test'],
    ['X-Round', String(i)],
    ['Accept', 'text/html,application/json;q=0.9'],
  ],
});

httpCases(test, [
  parsesAs('answers a GET with 200 and what it parsed, without waiting for more bytes', SIMPLE, SIMPLE_PARSE, {
    why: 'A request without Content-Length has no body: the empty line ends it. The client sends nothing more and waits for the answer, keeping the connection open.',
    hint: 'Read until the empty line (CRLF CRLF) and parse then; do not wait for the client to close or for more bytes.',
  }),
  parsesAs(
    'answers a head that arrives one byte at a time',
    request({ target: '/trickle', host: 'example.test', headers: [['X-Slow', 'one byte at a time']] }),
    {
      method: 'GET',
      target: '/trickle',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'example.test'],
        ['X-Slow', 'one byte at a time'],
      ],
    },
    {
      split: 'trickle',
      why: "TCP keeps no message boundaries: the head can arrive in as many 'data' events as it has bytes.",
      hint: 'Keep reading and appending to the buffer until it holds CRLF CRLF; look for it in the whole buffer, not in the last chunk.',
    },
  ),
  parsesAs(
    'answers a head cut right after every CR and every LF',
    CUT,
    {
      method: 'GET',
      target: '/cut',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'example.test'],
        ['X-A', '1'],
        ['X-B', '2'],
      ],
    },
    {
      split: cutAtLineEnds(CUT),
      why: 'A read can end between the CR and the LF of a line end, or between the two CRLFs that end the head: the end of the head then straddles two reads.',
      hint: 'After every read, search again from a little before where the last search stopped (the CR of a CRLF may be the last byte of the previous read).',
    },
  ),
  ...[1, 2, 3].map((i) =>
    parsesAs(`answers a head cut at random points (round ${i})`, random(i), randomParse(i), {
      split: 'random',
      hint: 'Search the whole buffer after every read.',
    }),
  ),
  parsesAs(
    'reads header names in any case and values with any optional whitespace',
    'GET /case HTTP/1.1\r\nhOsT:example.test\r\nx-lower: value\r\nX-UPPER:    spaced   out   \r\nX-Tab:\ttabbed\t\r\nX-Colons: a:b:c\r\nX-Dup: one\r\nx-dup: two\r\n\r\n',
    {
      method: 'GET',
      target: '/case',
      version: 'HTTP/1.1',
      headers: [
        ['hOsT', 'example.test'],
        ['x-lower', 'value'],
        ['X-UPPER', 'spaced   out'],
        ['X-Tab', 'tabbed'],
        ['X-Colons', 'a:b:c'],
        ['X-Dup', 'one'],
        ['x-dup', 'two'],
      ],
    },
    {
      why: '"hOsT" is the Host field: field names are case-insensitive, so this HTTP/1.1 request has its Host.',
      hint: 'Look fields up by name with a case-insensitive comparison (toLowerCase() on both sides).',
    },
  ),
  ...(['host', 'HOST'] as const).map((name) =>
    parsesAs(
      `finds the Host field named "${name}"`,
      `GET / HTTP/1.1\r\n${name}: example.test\r\n\r\n`,
      { method: 'GET', target: '/', version: 'HTTP/1.1', headers: [[name, 'example.test']] },
      {
        why: `"${name}" is the Host field: names are case-insensitive, and an HTTP/1.1 request with it has its Host.`,
        spec: 'RFC 9110 §5.1; RFC 9112 §3.2',
        hint: 'Count Host fields with fieldValues(headers, "host"), which compares names case-insensitively.',
      },
    ),
  ),
  parsesAs(
    'keeps bytes ≥ 0x80 in field values as they are (latin1), valid UTF-8 or not',
    Buffer.concat([
      Buffer.from('GET / HTTP/1.1\r\nHost: example.test\r\nX-Latin1: caf\xe9\r\nX-Utf8: ', 'latin1'),
      Buffer.from('Grüße', 'utf8'),
      Buffer.from('\r\nX-Invalid: \xff\xfe\x80\xc3\r\n\r\n', 'latin1'),
    ]),
    {
      method: 'GET',
      target: '/',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'example.test'],
        ['X-Latin1', 'caf\u00e9'],
        ['X-Utf8', Buffer.from('Grüße', 'utf8').toString('latin1')],
        ['X-Invalid', '\u00ff\u00fe\u0080\u00c3'],
      ],
    },
    {
      why: 'A field value may hold bytes above 0x7f (obs-text), and they are bytes, not characters in a known encoding. Decoded as latin1, each byte becomes one character and back; decoded as UTF-8, the invalid ones become U+FFFD and the valid ones merge into fewer characters, and the original bytes are lost.',
      spec: 'RFC 9110 §5.5 (field values, obs-text)',
      hint: "Decode the head with toString('latin1'), never toString() (UTF-8).",
    },
  ),
  parsesAs(
    'keeps a no-break space (byte 0xa0) at the edges of a value: only spaces and tabs are trimmed',
    'GET / HTTP/1.1\r\nHost: example.test\r\nX-Nbsp: \xa0inside\xa0 \r\nX-Both:\t \xa0 \t\r\n\r\n',
    {
      method: 'GET',
      target: '/',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'example.test'],
        ['X-Nbsp', '\u00a0inside\u00a0'],
        ['X-Both', '\u00a0'],
      ],
    },
    {
      why: 'The optional whitespace around a value is spaces and tabs, nothing else. String.prototype.trim() also removes the no-break space, which is the byte 0xa0 in latin1 and part of the value.',
      spec: 'RFC 9110 §5.6.3 (OWS = *( SP / HTAB )); RFC 9112 §5',
      hint: "Trim with .replace(/^[ \\t]+|[ \\t]+$/g, ''), not .trim().",
    },
  ),
  parsesAs(
    'keeps the method as sent: methods are case-sensitive, "get" is not GET',
    'get /lower HTTP/1.1\r\nHost: example.test\r\n\r\n',
    { method: 'get', target: '/lower', version: 'HTTP/1.1', headers: [['Host', 'example.test']] },
    {
      why: 'A method is a case-sensitive token: "get" is a different method from GET (one this server does not implement, which is for the router to say later). The parser reports what was sent.',
      spec: 'RFC 9110 §9.1',
      hint: 'Do not upper-case the method.',
    },
  ),
  ...(
    [
      ['OPTIONS', '*', 'the asterisk-form "*" with OPTIONS', 'RFC 9112 §3.2.4'],
      ['CONNECT', 'example.test:443', 'the authority-form host:port with CONNECT', 'RFC 9112 §3.2.3'],
      ['GET', 'http://example.test/path?q=1', 'an absolute URI as the target', 'RFC 9112 §3.2.2 (a server MUST accept the absolute-form)'],
    ] as const
  ).map(([method, target, what, spec]) =>
    parsesAs(
      `accepts ${what}`,
      `${method} ${target} HTTP/1.1\r\nHost: example.test\r\n\r\n`,
      { method, target, version: 'HTTP/1.1', headers: [['Host', 'example.test']] },
      {
        why: `A request-target has four forms: a path (origin-form), an absolute URI, host:port (only for CONNECT) and "*" (only for OPTIONS). This request uses ${what}, which is allowed.`,
        spec,
        hint: 'Decide by the method: CONNECT takes host:port; "*" is for OPTIONS; otherwise a path starting with "/" or scheme://authority….',
      },
    ),
  ),
]);

test('parseRequestHead returns the request line and every header field, in order', async () => {
  const { parseRequestHead } = await loadParser();
  const head = 'POST /api/items?sort=name HTTP/1.1\r\nHost: example.test:8080\r\nContent-Type: text/plain\r\nX-Time: 12:30:45\r\n\r\n';
  const result = attempt(parseRequestHead, head);
  check(result.parsed, {
    message: `Expected parseRequestHead(${quote(head)}) to return the parse, but it threw ${result.error}.`,
    hint: 'Split the head into lines at CRLF; the first is the request line, the rest up to the empty line are field lines.',
  });
  checkParsed(
    result.parsed,
    {
      method: 'POST',
      target: '/api/items?sort=name',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'example.test:8080'],
        ['Content-Type', 'text/plain'],
        ['X-Time', '12:30:45'],
      ],
    },
    `parseRequestHead(${quote(head)})`,
  );
});

test('parseRequestHead trims spaces and tabs around values and keeps repeated fields and bytes ≥ 0x80', async () => {
  const { parseRequestHead } = await loadParser();
  const head =
    'GET / HTTP/1.1\r\nhOsT:example.test\r\nX-Spaces:    inner  spaces stay   \r\nX-Tabs:\tvalue\t\r\nX-Empty:\r\nX-Dup: one\r\nx-dup: two\r\nX-DUP: three\r\nX-High: \xa0caf\xe9\xff\xa0\r\n\r\n';
  const result = attempt(parseRequestHead, head);
  check(result.parsed, {
    message: `Expected parseRequestHead(${quote(head)}) to return the parse, but it threw ${result.error}.`,
    why: 'Field names are case-insensitive ("hOsT" is the Host field); spaces after the colon are optional, a value may be empty, and bytes above 0x7f may appear in values.',
    spec: 'RFC 9110 §5.1, §5.5; RFC 9112 §5',
    hint: 'Compare names with toLowerCase(), and do not require a space after the colon.',
  });
  checkParsed(
    result.parsed,
    {
      method: 'GET',
      target: '/',
      version: 'HTTP/1.1',
      headers: [
        ['hOsT', 'example.test'],
        ['X-Spaces', 'inner  spaces stay'],
        ['X-Tabs', 'value'],
        ['X-Empty', ''],
        ['X-Dup', 'one'],
        ['x-dup', 'two'],
        ['X-DUP', 'three'],
        ['X-High', '\u00a0caf\u00e9\u00ff\u00a0'],
      ],
    },
    `parseRequestHead(${quote(head)})`,
    {
      hint: "Split each line at its first colon; trim only spaces and tabs (not .trim(), which also takes the no-break space 0xa0); decode with toString('latin1').",
    },
  );
});

pairTest('readRequestHead finds the end of a head cut after every CR and LF, each piece in its own read', async ({ pair, transcript }) => {
  const { readRequestHead } = await loadParser();
  const { BufferedReader } = await loadReader();
  const { Conn } = await importLessonModule<{ Conn: new (socket: net.Socket) => unknown }>('socket-promises', 'socket.ts', ['Conn']);
  const { peer, socket } = await pair();
  const reader = new BufferedReader(new Conn(socket));
  const head = request({
    target: '/lockstep',
    host: 'example.test',
    headers: [
      ['X-A', '1'],
      ['X-B', '2'],
    ],
  });
  const pieces = piecesAtLineEnds(head);
  lockstep(peer, socket, pieces, transcript, `a ${head.length}-byte head in ${pieces.length} pieces, each ending right after a CR or an LF`);
  const hint =
    'Search everything buffered after each read, judging each byte by the ones before it: a CR that is the last byte so far waits for its LF, and the end of the head may be cut anywhere in its CR LF CR LF.';
  let parsed: Parsed | undefined;
  try {
    parsed = await within(readRequestHead(reader), 3000, 'readRequestHead(reader) to resolve', hint);
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status !== 'number') throw error;
    check(false, {
      message: `Expected readRequestHead to return the head, but it threw HttpError ${status}: ${(error as Error).message}`,
      why: "Every read here ends right after a CR or an LF: the CR of a line end arrives without its LF, and the head's CR LF CR LF is split four ways. Nothing is wrong with the head; it is only cut.",
      spec: 'RFC 9112 §2.2',
      hint,
    });
  }
  check(parsed !== undefined, { message: 'Expected readRequestHead to return the head, received undefined.', hint });
  checkParsed(
    parsed,
    {
      method: 'GET',
      target: '/lockstep',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'example.test'],
        ['X-A', '1'],
        ['X-B', '2'],
      ],
    },
    'a head cut after every CR and LF',
    { hint },
  );
});

// A real connection whose far end is the learner's reader, driven from here.
pairTest('readRequestHead leaves the bytes after the head in the reader, and consume() hands out bytes that stay put', async ({ pair }) => {
  const { readRequestHead } = await loadParser();
  const { BufferedReader } = await loadReader();
  const { Conn } = await importLessonModule<{ Conn: new (socket: net.Socket) => unknown }>('socket-promises', 'socket.ts', ['Conn']);
  const { peer, socket } = await pair();
  const reader = new BufferedReader(new Conn(socket));
  // Two requests and four other bytes in one write: they arrive in one read.
  await peer.send([request({ target: '/first', host: 'example.test' }), 'BODY', request({ target: '/second', host: 'example.test' })]);
  const hint = 'readRequestHead fills the reader until the buffer holds CRLF CRLF, then consumes exactly the head.';
  const first = await within(readRequestHead(reader), 2000, 'readRequestHead(reader) to resolve', hint);
  check(first?.target === '/first', { message: `Expected readRequestHead to return the head of GET /first, received ${JSON.stringify(first)}.`, hint });
  const rest = reader.buffer ?? Buffer.alloc(0);
  check(rest.subarray(0, 4).toString('latin1') === 'BODY', {
    message: `Expected the bytes after the head ("BODY", then the next request) to wait at the start of reader.buffer, received ${quote(rest.subarray(0, 32))}.`,
    why: 'What arrives in the same read as the head is the start of the body, or of the next request. Dropping it loses data that can never be read again.',
    hint: 'Consume only the head (reader.consume(end)); the rest stays in the buffer.',
  });
  const body = reader.consume(4);
  const second = await within(
    readRequestHead(reader),
    2000,
    'a second readRequestHead(reader) to resolve',
    'The second head is already in the buffer: look there before reading from the connection.',
  );
  check(second?.target === '/second', {
    message: `Expected the second readRequestHead to return the head of GET /second, received ${JSON.stringify(second)}.`,
    hint,
  });
  // More bytes arrive, fewer than were buffered before (so they fit in the space already there);
  // what consume() returned before must not change.
  await peer.send('x'.repeat(60));
  await within(reader.fill(), 2000, 'reader.fill() to resolve', 'fill() awaits conn.read() once and appends what it returns.');
  check(Buffer.from(body).toString('latin1') === 'BODY', {
    message: `Expected the 4 bytes consume(4) returned ("BODY") to stay the same after later reads, received ${quote(Buffer.from(body))}.`,
    why: 'Whoever consumed bytes may still hold them (a piece of a body waiting in a socket to be sent). If consume() returns a view into storage the buffer reuses, later reads overwrite it.',
    hint: 'In consume(), return a copy (Buffer.from(view.subarray(0, n))) before the growable buffer reuses the space.',
  });
  reader.consume(reader.buffer.length);
  await peer.end();
  const none = await within(
    readRequestHead(reader),
    2000,
    'readRequestHead(reader) to resolve after the client closed',
    'When fill() reports EOF and nothing is buffered, return undefined.',
  );
  check(none === undefined, {
    message: `Expected readRequestHead to resolve with undefined once the client closed between requests, received ${JSON.stringify(none)}.`,
    hint: 'When fill() reports EOF and nothing is buffered, return undefined.',
  });
});

// Hidden tests for http-response, part 2: the writer on its own, on the edge rules no route of the
// server exercises (an empty reason phrase, forbidden bytes in a value, bytes above 0x7f, statuses
// without a body); a head in one write; and the close after the response.

import type net from 'node:net';
import {
  serverTest,
  pairTest,
  importLessonModule,
  check,
  checkLingeringClose,
  checkNoHeader,
  quote,
  readResponse,
  recordReads,
  request,
  within,
} from '#harness/testing/index.ts';

const test = serverTest('http-response');

interface Response {
  status: number;
  headers?: Array<[string, string]>;
  body?: string | Uint8Array;
}
interface ResponseModule {
  serializeHead(status: number, fields: Array<[string, string]>): Buffer;
  httpDate(now?: Date): string;
  writeResponse(conn: unknown, response: Response, options?: { headOnly?: boolean; connection?: 'close' | 'keep-alive' }): Promise<void>;
}

const loadWriter = () => importLessonModule<ResponseModule>('http-response', 'response.ts', ['serializeHead', 'httpDate', 'writeResponse']);
const loadConn = () => importLessonModule<{ Conn: new (socket: net.Socket) => unknown }>('socket-promises', 'socket.ts', ['Conn']);
const WRITER = 'RFC 9112 §2.1, §4, §5';

/** What serializeHead did: returned bytes, or threw. */
function serialize(serializeHead: ResponseModule['serializeHead'], status: number, fields: Array<[string, string]>): { bytes?: Buffer; error?: string } {
  try {
    return { bytes: Buffer.from(serializeHead(status, fields)) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

test('serializeHead and httpDate produce the exact bytes', async () => {
  const { serializeHead, httpDate } = await loadWriter();
  const head = serialize(serializeHead, 404, [
    ['Content-Type', 'text/plain'],
    ['Content-Length', '12'],
  ]);
  const expected = 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n';
  check(head.bytes?.toString('latin1') === expected, {
    message: `Expected serializeHead(404, [Content-Type, Content-Length]) to return ${quote(expected)}, received ${head.bytes ? quote(head.bytes) : `an error (${head.error})`}.`,
    expected,
    received: head.bytes,
    why: 'Every line of the head ends with CR LF, and an empty line (one more CR LF) ends the head.',
    spec: WRITER,
  });
  const date = httpDate(new Date(Date.UTC(1994, 10, 6, 8, 49, 37)));
  check(date === 'Sun, 06 Nov 1994 08:49:37 GMT', {
    message: `Expected httpDate(6 November 1994, 08:49:37 UTC) to return "Sun, 06 Nov 1994 08:49:37 GMT", received ${JSON.stringify(date)}.`,
    why: 'HTTP dates are IMF-fixdate: English day and month abbreviations, two-digit day, 24-hour time, always GMT.',
    spec: 'RFC 9110 §5.6.7',
    hint: 'Date.prototype.toUTCString() produces exactly this format.',
  });
});

test('serializeHead keeps the space before an empty reason phrase', async () => {
  const { serializeHead } = await loadWriter();
  const head = serialize(serializeHead, 299, []);
  const expected = 'HTTP/1.1 299 \r\n\r\n';
  check(head.bytes?.toString('latin1') === expected, {
    message: `Expected serializeHead(299, []) (a status without a known phrase) to return ${quote(expected)}, received ${head.bytes ? quote(head.bytes) : `an error (${head.error})`}.`,
    expected,
    received: head.bytes,
    why: 'The reason phrase may be empty, but the space before it may not: status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF. Clients that split the line at spaces break on "HTTP/1.1 299\\r\\n".',
    spec: 'RFC 9112 §4',
    hint: 'Always write `${status} ` and then the phrase, even when there is none; do not trim the line.',
  });
});

test('serializeHead writes bytes above 0x7f in a value as single bytes (latin1), not as UTF-8', async () => {
  const { serializeHead } = await loadWriter();
  const head = serialize(serializeHead, 200, [['X-Name', 'caf\u00e9 \u00a0\u00ff']]);
  const expected = Buffer.from('HTTP/1.1 200 OK\r\nX-Name: caf\xe9 \xa0\xff\r\n\r\n', 'latin1');
  check(head.bytes?.equals(expected) === true, {
    message: `Expected serializeHead(200, [["X-Name", "caf\\u00e9 \\u00a0\\u00ff"]]) to write each of those characters as one byte (e9, a0, ff), received ${head.bytes ? quote(head.bytes) : `an error (${head.error})`}.`,
    expected,
    received: head.bytes,
    why: 'Field values are bytes; the parser of http-request-head reads them as latin1, one character a byte, so writing them as latin1 sends back exactly the bytes that came. UTF-8 would turn é (e9) into two bytes (c3 a9).',
    spec: 'RFC 9110 §5.5 (obs-text)',
    hint: "Return Buffer.from(head, 'latin1'), not Buffer.from(head) (UTF-8).",
  });
});

const FORBIDDEN: Array<[string, Array<[string, string]>]> = [
  ['a CR LF in a value (response splitting)', [['X-Name', 'ok\r\nSet-Cookie: session=stolen']]],
  ['a lone LF in a value', [['X-Name', 'one\ntwo']]],
  ['a lone CR in a value', [['X-Name', 'one\rtwo']]],
  ['a NUL in a value', [['X-Name', 'one\0two']]],
  ['a CR LF in a name', [['X-Name\r\nSet-Cookie', 'x']]],
];

test.for(FORBIDDEN.map(([what, fields]) => [`serializeHead refuses ${what}`, fields] as const))('%s', async ([name, fields]) => {
  const { serializeHead } = await loadWriter();
  const head = serialize(serializeHead, 200, fields);
  check(head.bytes === undefined, {
    message: `Expected serializeHead to throw for ${name.replace('serializeHead refuses ', '')}, but it returned ${quote(head.bytes ?? Buffer.alloc(0))}.`,
    why: 'CR and LF end a line: a value that holds them lets whoever chose it (a user name, a redirect target) add header fields of their own, or a whole second response. NUL ends the line early in some parsers. None of them may appear in a field.',
    spec: 'RFC 9110 §5.5 (field values: CR, LF and NUL are invalid and dangerous)',
    hint: 'Test every name and value against /[\\r\\n\\0]/ and throw when it matches.',
  });
});

const BODILESS: Array<[number, string]> = [
  [204, 'No Content'],
  [304, 'Not Modified'],
  [100, 'Continue'],
];

pairTest.for(
  BODILESS.map(
    ([status, phrase]) => [`writeResponse sends ${status} ${phrase} without Content-Length and without a body, whatever the handler gave`, status] as const,
  ),
)('%s', async ([, status], { pair }) => {
  const { writeResponse } = await loadWriter();
  const { Conn } = await loadConn();
  const { peer, socket } = await pair();
  const conn = new Conn(socket);
  const hint = 'For 1xx, 204 and 304, add no Content-Length and write the head alone, even when the response has a body.';
  await within(
    writeResponse(conn, { status, headers: [['Content-Type', 'text/plain']], body: 'a body that must not be sent' }),
    2000,
    `writeResponse(${status}) to resolve`,
    hint,
  );
  await within(writeResponse(conn, { status: 200, body: 'next\n' }), 2000, 'writeResponse(200) to resolve', hint);
  const why = `A ${status} response never has content, so it ends with its head: the client reads the next bytes as the next response. A Content-Length here is forbidden (204, 1xx) or would have to be the length of the 200 the client did not get (304); bytes of body would be read as the start of the next response.`;
  const spec = 'RFC 9110 §6.4.1, §8.6, §15.3.5 (204), §15.4.5 (304); RFC 9112 §6.3 rule 1';
  const first = await readResponse(peer, { what: `the ${status} response`, why, spec, hint });
  check(first.status === status, { message: `Expected the ${status} response first, received ${first.summary()}.`, why, spec, hint });
  checkNoHeader(first, 'Content-Length', { why, spec, hint });
  await peer.expect('HTTP/1.1 200 OK\r\n', { why: `${why} Right after the ${status} head comes the next response written on this connection.`, spec, hint });
});

test('sends the status line and header fields in one write', async ({ server }) => {
  // Several responses. A head written in one write always arrives in one read on loopback; a head
  // written line by line usually arrives in pieces, but a busy client may read them all at once,
  // so this check catches that mistake often, not always (it is not in .check/mistakes).
  for (const target of ['/', '/greeting', '/nowhere', '/inspect', '/', '/greeting', '/nowhere', '/inspect']) {
    const client = await server.connect();
    const reads = recordReads(client);
    await client.send(request({ target }));
    const response = await readResponse(client);
    check(reads[0] !== undefined && reads[0] >= response.raw.length, {
      message: `Expected the head of the response to ${target} (${response.raw.length} bytes) to arrive in one piece, received it in reads of ${reads.join(', ')} bytes.`,
      why: "Each small write can go out as a packet of its own. With Nagle's algorithm on (Node's default), a small write waits until the previous packet is acknowledged, and the client may delay that ACK by up to 40 ms: a head written line by line can take that long to arrive.",
      spec: "RFC 9293 §3.7.4 (Nagle's algorithm); Node docs: socket.setNoDelay()",
      hint: 'Build the whole head into one string or Buffer, then write it once (with the body, when it is small).',
    });
  }
});

test('closes after the response with a lingering close: a client still sending gets the whole response and a FIN, never a reset', async ({ server }) => {
  const client = await server.connect('pipeliner');
  await checkLingeringClose(client, {
    send: Buffer.concat([request({ target: '/greeting' }), request({ method: 'POST', target: '/inspect', headers: [['Content-Length', '100000']] })]),
    expect: { status: 200, body: Buffer.from('Grüße aus Köln — 你好, 世界 👋\n') },
    more: Buffer.alloc(100_000, 0x62),
  });
});

// Hidden tests for chunked-request, part 1: chunked bodies read right. Sizes in hex however the
// bytes are cut, extensions ignored, trailers read, data handed on as it arrives, the route limits on
// the decoded size, and the connection ready for the next request (pipelined, or after a body that
// the handler did not read).

import { randomBytes } from 'node:crypto';
import {
  serverTest,
  httpCases,
  check,
  byteCount,
  request,
  readResponse,
  readResponseHead,
  checkStatus,
  checkHeader,
  LessonFailure,
  type HttpCase,
} from '#harness/testing/index.ts';
import { CHUNKED, MiB, chunkedBody, chunkedRequest, inspected } from './bodies.ts';

const test = serverTest('chunked-request');

const PIECES = ['Hello, ', 'chunked ', Buffer.from('world: 0123456789abcdef\n'), Buffer.from(Array.from({ length: 255 }, (_, i) => 255 - i))];
const BODY = Buffer.concat(PIECES.map((piece) => Buffer.from(piece)));

const cases: HttpCase[] = [
  {
    name: 'echoes a chunked body: sizes in hex, the data of every chunk, nothing else',
    send: chunkedRequest('/echo', chunkedBody(PIECES)),
    hint: 'A 501 whose body says "not read yet" or "not written yet" names the TODO to do first.',
    expect: {
      status: 200,
      check: (response, label) => {
        check(response.body.equals(BODY), {
          message: `Expected ${label} to echo the ${byteCount(BODY.length)} of data in the chunks, received ${response.summary()}.`,
          expected: BODY,
          received: response.body,
          why: 'Each chunk is its size in hex, CRLF, that many bytes of data, CRLF; "0\\r\\n\\r\\n" ends the body. The body is the data alone, in order: "18" announces 0x18 = 24 bytes, "ff" 255.',
          spec: CHUNKED,
          hint: 'Parse the size with parseInt(digits, 16); return the data of each chunk from read(); consume the CRLF after it, and nothing more.',
        });
      },
    },
  },
  {
    name: 'echoes a chunked body in chunks: the length is unknown until its end',
    send: chunkedRequest('/echo', chunkedBody(['one ', 'two'])),
    expect: { status: 200, fields: { 'Transfer-Encoding': /^chunked$/i, 'Content-Length': null }, body: 'one two' },
    why: 'A ChunkedBodyReader has no length; handed to the writer of chunked-response as a response body, it goes back out in chunks, as it arrives.',
    spec: CHUNKED,
    hint: 'Give ChunkedBodyReader no `length` property: the writer streams a body without one in chunks.',
  },
  {
    name: 'reads a chunked body that arrives one byte at a time',
    send: chunkedRequest('/inspect', chunkedBody(['trickled ', { data: 'in', ext: ';n=1' }, ' bytes'], ['X-Checksum: 17'])),
    split: 'trickle',
    timeoutMs: 5000,
    expect: inspected(17, [['X-Checksum', '17']]),
    why: 'A size line, its CRLF, the data and the CRLF after it can each be cut anywhere, even between CR and LF.',
    spec: CHUNKED,
    hint: 'Wait for a whole line before parsing it (readLine does), and for both bytes of the CRLF after the data.',
  },
  ...[1, 2, 3].map((round): HttpCase => ({
    name: `reads a chunked body cut at random points (round ${round})`,
    send: chunkedRequest(
      '/inspect',
      chunkedBody([randomBytes(700), { data: randomBytes(33), ext: ';a=b;c="d e"' }, randomBytes(4000), 'x'], ['X-Round: ' + round]),
    ),
    split: 'random',
    timeoutMs: 5000,
    expect: inspected(4734, [['X-Round', String(round)]]),
    spec: CHUNKED,
  })),
  {
    name: 'reads sizes in upper and lower case hex, and with leading zeros',
    send: chunkedRequest(
      '/inspect',
      chunkedBody(
        [
          { data: 'x'.repeat(26), size: '1A' },
          { data: 'y'.repeat(171), size: 'aB' },
          { data: 'z', size: '0000000000000001' },
        ],
        [],
        '000',
      ),
    ),
    expect: inspected(198),
    why: 'chunk-size is 1*HEXDIG: hex digits in either case, as many as the sender likes (up to this server\'s limit of 16); "000" is a last chunk too.',
    spec: 'RFC 9112 §7.1; RFC 5234 (HEXDIG is case-insensitive)',
    hint: 'Number.parseInt(digits, 16) takes both cases; count the digits, not their value, for the 16-digit limit.',
  },
  {
    name: 'ignores chunk extensions, quoted ones too',
    send: chunkedRequest(
      '/inspect',
      chunkedBody(
        [
          { data: 'hello', ext: ';name=value' },
          { data: ', ', ext: ' ; lone' },
          { data: 'world', ext: ';q="a \\"quoted\\" value; with a semicolon"' },
        ],
        [],
        '0;last=yes',
      ),
    ),
    expect: inspected(12),
    why: 'After the size may come extensions, `;name` or `;name=value` (a token or a quoted string), with optional whitespace around ";". A server must ignore the ones it does not know, but still read them by their grammar.',
    spec: 'RFC 9112 §7.1.1 (chunk extensions)',
    hint: 'Take the leading hex digits as the size; what follows them must match CHUNK_EXT, and is then ignored.',
  },
  {
    name: 'reads the trailer fields after the last chunk',
    send: chunkedRequest('/inspect', chunkedBody(['with trailers'], ['X-Checksum: abc123', 'x-count:2', 'X-Empty:'])),
    expect: inspected(13, [
      ['X-Checksum', 'abc123'],
      ['x-count', '2'],
      ['X-Empty', ''],
    ]),
    spec: 'RFC 9112 §7.1.2',
  },
  {
    name: 'answers requests pipelined after chunked bodies, each from where the body before it ended',
    pipelined: true,
    exchanges: [
      { send: chunkedRequest('/inspect', chunkedBody(['first body'], ['X-A: 1'])), expect: inspected(10, [['X-A', '1']]) },
      { send: request({ target: '/' }), expect: { status: 200, body: 'Hello, world!\n' } },
      { send: chunkedRequest('/echo', chunkedBody(['second ', 'body'])), expect: { status: 200, body: 'second body' } },
      { send: request({ method: 'POST', target: '/echo', body: 'a Content-Length body' }), expect: { status: 200, body: 'a Content-Length body' } },
      { send: chunkedRequest('/inspect', chunkedBody([])), expect: inspected(0, [], { close: false }) },
    ],
    why: 'A chunked body ends with the empty line after the last chunk and its trailers; the next request starts at the very next byte. Consuming one byte too many, or too few, garbles it.',
    spec: 'RFC 9112 §7.1, §9.3.2 (pipelining)',
    hint: "Consume exactly the CRLF after each chunk's data, and exactly the lines of the trailer section.",
  },
  {
    name: 'skips a chunked body its handler did not read, and answers the next request',
    pipelined: true,
    exchanges: [
      { send: chunkedRequest('/', chunkedBody(['an unread body ', 'x'.repeat(5000)], ['X-Unread: yes'])), expect: { status: 405 } },
      { send: chunkedRequest('/', chunkedBody(['read by nobody']), { method: 'GET' }), expect: { status: 200, body: 'Hello, world!\n' } },
      { send: chunkedRequest('/nowhere', chunkedBody(['lost'])), expect: { status: 404 } },
      { send: request({ target: '/greeting' }), expect: { status: 200, fields: { 'Content-Length': '42' } } },
    ],
    why: "The 405, the GET / and the 404 are answered without reading their bodies. keep-alive's loop drains what is left of a body while remaining > 0: a chunked body's remaining is unknown (Infinity) until its last chunk has been read, and 0 only then.",
    spec: 'RFC 9112 §9.3 (persistence), §7.1',
    hint: 'get remaining(): 0 once the body is done (after the trailers), Infinity before.',
  },
  {
    name: "takes a chunked body of exactly the route's limit (1 MiB on /inspect)",
    send: chunkedRequest('/inspect', chunkedBody(Array.from({ length: 16 }, () => Buffer.alloc(64 * 1024, 0x61)))),
    timeoutMs: 5000,
    expect: inspected(MiB),
    why: "The limit of a route applies to the body's data, the size of what is decoded: 1 MiB of data in 16 chunks is exactly the limit of /inspect, and allowed.",
    spec: 'RFC 9110 §15.5.14 (413)',
    hint: 'Compare the sum of the chunk sizes with maxBytes: over it is a 413, at it is fine.',
  },
  {
    name: "answers a chunked body one byte over the route's limit with 413, and closes",
    send: chunkedRequest('/inspect', chunkedBody([...Array.from({ length: 16 }, () => Buffer.alloc(64 * 1024, 0x61)), 'b'])),
    timeoutMs: 5000,
    expect: { status: 413, close: true },
    why: 'A chunked body has no Content-Length to refuse up front, so the limit is checked as the chunk sizes come in, before their data is read: the sizes of this one add up to 1 MiB + 1 byte.',
    spec: 'RFC 9110 §15.5.14 (413 Content Too Large)',
    hint: 'Add each chunk size to a running total, and throw new HttpError(413, …) when it passes maxBytes.',
  },
  {
    name: "refuses a single chunk larger than the route's limit before its data comes",
    send: chunkedRequest('/inspect', Buffer.from('1fffffffffffff\r\nonly a few bytes of it', 'latin1')),
    expect: { status: 413, close: true },
    why: 'The size line announces 2^53 - 1 bytes, a valid size (the largest this server reads) but far over the limit: the answer can come before any of the data.',
    spec: 'RFC 9110 §15.5.14; RFC 9112 §7.1',
    hint: 'Check the limit when the size line is read, not after the data.',
  },
];

// Each case and test on a connection of its own, all at once: the server keeps no state between
// connections, and nothing here counts what the program holds.
httpCases(test, cases, { concurrent: true });

test.concurrent('hands on the data of a 1 MiB chunk as it arrives, not once the whole chunk is there', async ({ server }) => {
  const data = randomBytes(MiB);
  const client = await server.connect();
  const head = chunkedRequest('/echo', Buffer.alloc(0));
  // The head, the size line of one 1 MiB chunk, and its first 64 KiB; the rest only once some of it came back.
  await client.send(Buffer.concat([head, Buffer.from(`${MiB.toString(16)}\r\n`), data.subarray(0, 64 * 1024)]));
  const why =
    'Chunks are framing, not messages: a reader that waits for a whole chunk before handing any of it on needs memory for the biggest chunk a client cares to send, and makes the echo wait for it.';
  const response = await readResponseHead(client, {
    what: 'the response to a POST /echo with one 1 MiB chunk',
    timeoutMs: 3000,
    why,
    spec: CHUNKED,
    hint: 'In the data state, return what is buffered (up to the end of the chunk) at once.',
  });
  checkStatus(response, 200, { why });
  checkHeader(response, 'Transfer-Encoding', /^chunked$/i, { spec: CHUNKED });
  const seen = await collectEcho(client, 32 * 1024, 3000).catch(() => {
    throw new LessonFailure({
      message: `Expected at least 32 KiB of the echo while the client still holds back the last 960 KiB of the chunk, received ${byteCount(client.buffered)} within 3 s.`,
      why,
      spec: CHUNKED,
      hint: 'In read(), return what is buffered of the chunk now (consume up to this.left); fill() only when nothing is buffered.',
    });
  });
  await client.send(Buffer.concat([data.subarray(64 * 1024), Buffer.from('\r\n0\r\n\r\n')]));
  const rest = await collectEcho(client, MiB - seen.length, 8000, true);
  const back = Buffer.concat([seen, rest]);
  check(back.equals(data), {
    message: `Expected the echo of the 1 MiB chunk unchanged, received ${byteCount(back.length)} that differ.`,
    expected: data,
    received: back,
    spec: CHUNKED,
  });
});

/** Reads echoed chunks until at least `atLeast` bytes of data came (and, with `toEnd`, the last chunk). */
async function collectEcho(client: Parameters<typeof readResponse>[0], atLeast: number, timeoutMs: number, toEnd = false): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    if (!toEnd && total >= atLeast) return Buffer.concat(parts);
    const line = await client.readUntil('\r\n', { timeoutMs, max: 1024, spec: CHUNKED });
    const size = Number.parseInt(line.toString('latin1'), 16);
    if (size === 0) {
      await client.readUntil('\r\n', { timeoutMs, spec: CHUNKED });
      return Buffer.concat(parts);
    }
    parts.push(await client.readExactly(size, { timeoutMs, spec: CHUNKED }));
    total += size;
    await client.readExactly(2, { timeoutMs, spec: CHUNKED });
  }
}

test.concurrent('sends 100 Continue to a client that waits for it, then reads the chunked body', async ({ server }) => {
  const client = await server.connect();
  await client.send(
    request({
      method: 'PUT',
      target: '/echo',
      headers: [
        ['Transfer-Encoding', 'chunked'],
        ['Expect', '100-continue'],
      ],
    }),
  );
  const why =
    'curl, for one, sends "Expect: 100-continue" with a chunked upload and waits (a second, by default) for "100 Continue" before sending the body: the server says it will read it. Without it, every upload stalls.';
  await client.expect('HTTP/1.1 100 Continue\r\n\r\n', {
    timeoutMs: 2000,
    why,
    spec: 'RFC 9110 §10.1.1 (Expect), §15.2.1 (100 Continue)',
    hint: 'The reader sends it before its first read (continueIfAsked, written for you): the handler of /echo reads before it answers. Is it the ChunkedBodyReader that read() runs?',
  });
  await client.send(chunkedBody(['after the ', '100 Continue']));
  const response = await readResponse(client, { what: 'the response after the body', spec: CHUNKED });
  checkStatus(response, 200);
  check(response.body.toString('latin1') === 'after the 100 Continue', {
    message: `Expected the echo "after the 100 Continue", received ${response.summary()}.`,
    spec: CHUNKED,
  });
  // A request answered from its head alone gets no 100 Continue: its final status is the answer.
  const refused = await server.connect();
  await refused.send(
    request({
      method: 'POST',
      target: '/nowhere',
      headers: [
        ['Transfer-Encoding', 'chunked'],
        ['Expect', '100-continue'],
      ],
    }),
  );
  const notFound = await readResponse(refused, { what: 'the response to a POST /nowhere that expects 100-continue' });
  checkStatus(notFound, 404, {
    why: 'The 404 is known from the head alone: the client gets it instead of 100 Continue, and need not send the body at all.',
    spec: 'RFC 9110 §10.1.1',
    hint: 'Send 100 Continue only from read(), never from the loop that skips an unread body after the response.',
  });
});

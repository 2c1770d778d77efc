// Hidden tests for chunked-response, part 1: the framing. Bodies of unknown length in chunks (size
// in hex, data, CRLF; empty pieces skipped; the last chunk at the end), HEAD, HTTP/1.0 and
// Connection: close, and the writer's rules for statuses that have no body, called directly.

import type net from 'node:net';
import {
  serverTest,
  pairTest,
  importLessonModule,
  httpCases,
  check,
  quote,
  byteCount,
  request,
  readBody,
  readResponseHead,
  checkStatus,
  checkHeader,
  checkNoHeader,
  within,
  LessonFailure,
  type HttpResponse,
} from '#harness/testing/index.ts';
import { CHUNKED, PIECES, PIECE_BYTES, PIECES_BODY, readChunk, readTrailerSection, sheep } from './chunks.ts';

// Each check has its own connection: they run concurrently on one program (a failure is still
// reported in the order they are written), but for the one that proves silence after the last
// chunk, which runs alone so that the quiet proof (process/quiet.ts) can end its wait early.
const test = serverTest('chunked-response');

/** Fails with what to do when the writer of this lesson is not the one that wrote the response. */
function checkWrittenByChunkedWriter(response: HttpResponse, label: string): void {
  if (response.status === 501 && /not written yet/.test(response.body.toString('latin1'))) {
    checkStatus(response, 200, { hint: 'The body of the 501 says what is not written yet: writeResponse() in chunked.ts, for a body of unknown length.' });
  }
  check(response.header('content-length') !== 'undefined', {
    message: `Expected ${label} to be framed by chunks, received "Content-Length: undefined".`,
    why: "That is http-response's writer, given a body that has no length: the writer in chunked.ts was never called.",
    hint: "keep-alive's serveConnection must write with the writer it is given: `const { writeResponse = writeKnownLength } = options` at its start (see lessons/10-keep-alive/connection.ts, or `npx learn solution keep-alive --apply`).",
  });
}

test.concurrent('sends a body of unknown length in chunks: Transfer-Encoding: chunked, and no Content-Length', async ({ server }) => {
  const client = await server.connect();
  await client.send(request({ target: '/sheep?n=3&interval=0' }));
  const label = 'the response to GET /sheep?n=3&interval=0';
  const response = await readResponseHead(client, { what: label, spec: CHUNKED });
  checkWrittenByChunkedWriter(response, label);
  checkStatus(response, 200, { why: `This is ${label}.` });
  checkHeader(response, 'Transfer-Encoding', /^chunked$/i, {
    why: 'The sheep are counted as the body is sent, so nobody knows its length when the head goes out. Transfer-Encoding: chunked tells the client that the body comes in chunks that each say how long they are.',
    spec: 'RFC 9112 §6.1, §7.1',
    hint: 'For a body of unknown length (an HTTP/1.1 request), add ["Transfer-Encoding", "chunked"] to the head.',
  });
  checkNoHeader(response, 'Content-Length', {
    why: 'A message with Transfer-Encoding must not have Content-Length too: a client that trusted the wrong one would read the next response from the middle of this one.',
    spec: 'RFC 9112 §6.1 (a sender MUST NOT send Content-Length in a message with Transfer-Encoding)',
    hint: 'A body of unknown length gets Transfer-Encoding: chunked and no Content-Length.',
  });
  await readBody(client, response, {
    what: label,
    hint: 'Each piece: its size in hex, "\\r\\n", the data, "\\r\\n". After the last piece, the last chunk: "0\\r\\n\\r\\n".',
  });
  check(response.body.equals(sheep(3)), {
    message: `Expected the chunks of ${label} to carry ${quote(sheep(3))}, received ${quote(response.body)}.`,
    expected: sheep(3),
    received: response.body,
    spec: CHUNKED,
    hint: 'Write every piece the source yields, in order, each as one chunk.',
  });
});

test('sends each piece as one chunk: its size in bytes, in hex, CRLF, the data, CRLF', async ({ server }) => {
  const client = await server.connect();
  await client.send(request({ target: '/pieces' }));
  const label = 'the response to GET /pieces';
  const response = await readResponseHead(client, { what: label, spec: CHUNKED });
  checkWrittenByChunkedWriter(response, label);
  checkStatus(response, 200);
  checkHeader(response, 'Transfer-Encoding', /^chunked$/i, { spec: 'RFC 9112 §6.1' });
  const pieces = PIECES.map((piece, i) => ({ piece, bytes: PIECE_BYTES[i]! })).filter(({ bytes }) => bytes.length > 0);
  for (const [i, { piece, bytes }] of pieces.entries()) {
    const name = `chunk ${i + 1} of ${label}`;
    const hex = bytes.length.toString(16);
    const line = await client.readUntil('\r\n', { max: 1024, spec: CHUNKED, hint: 'Each chunk starts with its size in hex and "\\r\\n".' });
    const digits = /^([0-9A-Fa-f]+)(;[^\r\n]*)?\r\n$/.exec(line.toString('latin1'))?.[1];
    const size = digits === undefined ? NaN : Number.parseInt(digits, 16);
    if (size !== bytes.length) {
      const whatPiece = `${typeof piece === 'string' ? `the string ${JSON.stringify(piece)}` : `the ${byteCount(bytes.length)}`} of piece ${PIECES.indexOf(piece) + 1}`;
      let why = `The size line says how many bytes of data follow, in hex: ${bytes.length} bytes are "${hex}".`;
      let hint = 'Write `${data.length.toString(16)}\\r\\n`, where data is the piece as bytes.';
      if (size === 0) {
        why =
          'A chunk of size 0 is the last chunk: the body ends there, and the client takes what follows for the next response. The source yielded an empty piece here, and an empty piece must not be written as a chunk.';
        hint = 'Skip pieces of length 0 (if (piece.length === 0) continue;).';
      } else if (digits === String(bytes.length)) {
        why = `"${digits}" is the length in decimal; read as hex, it announces ${Number.parseInt(digits, 16)} bytes, and the client reads past the end of this chunk.`;
        hint = 'Write the size in hex: data.length.toString(16).';
      } else if (typeof piece === 'string' && size === piece.length) {
        why = `${JSON.stringify(piece)} is ${piece.length} characters (UTF-16 code units) but ${bytes.length} bytes in UTF-8, and a chunk's size counts bytes.`;
        hint = "Turn a string piece into bytes first (Buffer.from(piece, 'utf8')), and take the size of the bytes.";
      } else if (size > bytes.length && size <= PIECES_BODY.length && digits !== undefined) {
        why = `${byteCount(size)} is more than this piece: the chunk holds several pieces. Each piece goes out as its own chunk, as soon as the source yields it; collecting pieces makes the client wait for what was ready long ago.`;
        hint = 'Inside the for await loop, write each piece as a chunk before asking the source for the next one.';
      }
      throw new LessonFailure({ message: `Expected ${name} (${whatPiece}) to start with "${hex}\\r\\n", received ${quote(line)}.`, why, spec: CHUNKED, hint });
    }
    const data = await client.readExactly(bytes.length, { spec: CHUNKED }, `the ${byteCount(bytes.length)} of ${name}`);
    check(data.equals(bytes), {
      message: `Expected the data of ${name} to be the piece's ${byteCount(bytes.length)} unchanged, received different bytes.`,
      expected: bytes,
      received: data,
      why: 'A chunk carries the bytes of a piece as they are: strings as UTF-8, Buffers untouched.',
      spec: CHUNKED,
    });
    const end = await client.readExactly(2, { spec: CHUNKED }, `"\\r\\n" after ${name}`);
    check(end.toString('latin1') === '\r\n', {
      message: `Expected "\\r\\n" right after the data of ${name}, received ${quote(end)}.`,
      why: 'chunk = chunk-size CRLF chunk-data CRLF: the data is followed by CRLF, and only then does the next size line start.',
      spec: CHUNKED,
      hint: 'After the data, write "\\r\\n".',
    });
  }
  const last = await readChunk(client, `the chunk after the ${pieces.length} pieces of ${label}`, {
    hint: 'After the last piece, write the last chunk: "0\\r\\n\\r\\n".',
  });
  check(last.size === 0, {
    message: `Expected the last chunk "0\\r\\n" after the ${pieces.length} pieces of ${label}, received a chunk of ${byteCount(last.size)}.`,
    why: 'The source has no more pieces: the body ends with a chunk of size 0.',
    spec: CHUNKED,
  });
  await readTrailerSection(client, label);
  await client.expectNothingMore(100, { why: 'The body ended with the last chunk and the empty line after it; nothing else was asked for.', spec: CHUNKED });
});

httpCases(
  test,
  [
    {
      name: 'answers requests pipelined around chunked responses, each after the end of the one before',
      pipelined: true,
      exchanges: [
        { send: { target: '/pieces' }, expect: { status: 200, fields: { 'Transfer-Encoding': /^chunked$/i }, body: PIECES_BODY } },
        { send: { target: '/' }, expect: { status: 200, body: 'Hello, world!\n' } },
        { send: { target: '/sheep?n=4&interval=0' }, expect: { status: 200, body: sheep(4) } },
        { send: { target: '/greeting' }, expect: { status: 200, fields: { 'Content-Length': '42' } } },
        { send: { target: '/pieces' }, expect: { status: 200, body: PIECES_BODY, close: false } },
      ],
      why: 'A chunked body ends exactly after its last chunk ("0\\r\\n\\r\\n"); the next response starts right after it. An empty piece written as a chunk of size 0 ends the body early, and a missing last chunk leaves the client waiting.',
      spec: 'RFC 9112 §7.1; §9.3 (persistence)',
      hint: 'Skip empty pieces, and write LAST_CHUNK once the source has no more.',
    },
    {
      name: 'says Connection: close with the chunks when the request asked to close, then closes',
      send: { target: '/pieces', headers: [['Connection', 'close']] },
      expect: { status: 200, fields: { 'Transfer-Encoding': /^chunked$/i, Connection: /close/i }, body: PIECES_BODY, close: true },
      why: 'An HTTP/1.1 client reads chunks whether or not the connection stays open: the last chunk, not the close, tells it the body is complete.',
      spec: 'RFC 9112 §7.1, §9.6',
      hint: 'Add the Connection field the loop passes (options.connection) to the head of a chunked response too.',
    },
    {
      name: 'answers HEAD at once with a 200 head, no Content-Length and no body, without running the source',
      pipelined: true,
      timeoutMs: 2500,
      exchanges: [
        { send: { method: 'HEAD', target: '/sheep?n=2&interval=3000' }, expect: { status: 200, fields: { 'Content-Length': null } } },
        { send: { method: 'HEAD', target: '/pieces' }, expect: { status: 200, fields: { 'Content-Length': null } } },
        { send: { target: '/' }, expect: { status: 200, body: 'Hello, world!\n' } },
      ],
      why: 'HEAD asks for the head a GET would get, and nothing else. The sheep of the first request would take 3 s to count: a HEAD that waits for them, or sends them, is wrong; the responses after it start right after its head.',
      spec: 'RFC 9110 §9.3.2 (HEAD); RFC 9112 §6.3',
      hint: 'For options.headOnly, send the head and close the source without reading it: await body[Symbol.asyncIterator]().return?.().',
    },
    {
      name: "answers HEAD from HTTP/1.0 with Connection: keep-alive with GET's head, Connection: close, and closes",
      send: request({ method: 'HEAD', target: '/pieces', version: 'HTTP/1.0', headers: [['Connection', 'keep-alive']] }),
      expect: { status: 200, fields: { 'Transfer-Encoding': null, Connection: /close/i }, close: true },
      why: 'HEAD gets the head GET would get: for HTTP/1.0 and a body of unknown length, that head says Connection: close. A response that says close and then keeps the connection leaves the client waiting for a close that never comes.',
      spec: 'RFC 9110 §9.3.2 (HEAD); RFC 9112 §9.6 (Connection: close)',
      hint: 'End the connection whenever the head said Connection: close because of an HTTP/1.0 request, for HEAD too.',
    },
    ...['', 'Connection: keep-alive'].map((connection) => ({
      name: `answers HTTP/1.0${connection ? ` with ${connection}` : ''} without chunks: the close ends the body (Connection: close)`,
      send: request({ target: '/pieces', version: 'HTTP/1.0', host: 'localhost', headers: connection ? [['Connection', 'keep-alive']] : [] }),
      expect: { status: 200, fields: { 'Transfer-Encoding': null, 'Content-Length': null, Connection: /close/i }, body: PIECES_BODY, close: true },
      why: `HTTP/1.0 has no chunked coding: its client would take the chunk sizes for part of the body. With no length known, the only way left to end the body is to close the connection, and the response says so (Connection: close)${connection ? ', even though the client asked to keep the connection' : ''}.`,
      spec: 'RFC 9112 §7.1 (chunked is HTTP/1.1), §6.3 rule 8 (a body the close ends), Appendix C.2.2',
      hint: "For options.request?.version === 'HTTP/1.0': no Transfer-Encoding, Connection: close, the pieces as they are, then end the connection.",
    })),
  ],
  { concurrent: true },
);

interface ChunkedModule {
  writeResponse(
    conn: unknown,
    response: { status: number; headers?: Array<[string, string]>; body?: unknown },
    options?: { headOnly?: boolean; request?: unknown },
  ): Promise<void>;
}

/** A source that counts how it is used, and yields one piece. */
function countingSource() {
  const counts = { next: 0, return: 0 };
  const source = {
    [Symbol.asyncIterator]() {
      return {
        next: async () => (++counts.next === 1 ? { done: false, value: Buffer.from('never to be sent') } : { done: true, value: undefined }),
        return: async () => {
          counts.return++;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { source, counts };
}

pairTest.concurrent('writeResponse sends no body for 204, 304 and HEAD, and closes their sources unread', async ({ pair }) => {
  const { writeResponse } = await importLessonModule<ChunkedModule>('chunked-response', 'chunked.ts', ['writeResponse']);
  const { Conn } = await importLessonModule<{ Conn: new (socket: net.Socket) => unknown }>('socket-promises', 'socket.ts', ['Conn']);
  const { peer, socket } = await pair();
  const conn = new Conn(socket);
  const GET = { method: 'GET', target: '/', version: 'HTTP/1.1', headers: [{ name: 'Host', value: 'x' }] };
  for (const [what, status, options] of [
    ['a 204 response', 204, { request: GET }],
    ['a 304 response', 304, { request: GET }],
    ['a response to HEAD', 200, { headOnly: true, request: { ...GET, method: 'HEAD' } }],
  ] as const) {
    const { source, counts } = countingSource();
    const hint =
      'For HEAD (options.headOnly) and the statuses without a body (1xx, 204, 304), send the head only, and close the source: await body[Symbol.asyncIterator]().return?.().';
    await within(writeResponse(conn, { status, body: source }, options), 2000, `writeResponse() of ${what} with a source to resolve`, hint);
    const response = await readResponseHead(peer, { what, method: 'HEAD' });
    checkStatus(response, status, { why: `writeResponse() was given ${what} with status ${status}.` });
    if (status === 204) {
      checkNoHeader(response, 'Transfer-Encoding', {
        why: 'A 204 response never has a body, so it has no transfer coding either.',
        spec: 'RFC 9112 §6.1 (a server MUST NOT send Transfer-Encoding with 1xx or 204)',
        hint,
      });
    }
    await peer.expectNothingMore(50, { why: `${what} has no body (RFC 9110 §6.4.1, §9.3.2): nothing may follow its head, not even a last chunk.`, hint });
    check(counts.next === 0, {
      message: `Expected the source of ${what} never to be read, but its next() was called ${counts.next} time(s).`,
      why: 'Nothing of it would be sent, so producing it is wasted work: a query run, a file read, sheep counted for nobody.',
      hint,
    });
    check(counts.return >= 1, {
      message: `Expected the source of ${what} to be closed (its return() called), but it was not.`,
      why: 'A source may hold something until it is finished or closed: an open file, a database cursor, a timer. Closing it unread lets go of that at once.',
      hint,
    });
  }
});

// Hidden tests for http-body, part 1: bodies framed by Content-Length, read as a stream that
// starts with the bytes that came with the head, whatever the cuts, the bytes and the spelling of
// the field. POST /echo sends the body back; /inspect says how many body bytes it read.

import { randomBytes } from 'node:crypto';
import {
  serverTest,
  httpCases,
  check,
  byteCount,
  request,
  checkStatus,
  checkHeader,
  readResponseHead,
  LessonFailure,
  type HttpCase,
  type HttpResponse,
  type RequestSpec,
} from '#harness/testing/index.ts';

const test = serverTest('http-body');

const MiB = 1024 * 1024;
const FRAMING = 'RFC 9112 §6.2 (Content-Length), §6.3 (message body length)';

const echo = (body: Buffer | string, headers: RequestSpec['headers'] = []) => request({ method: 'POST', target: '/echo', headers, body });

/** A case: POST /echo with `bytes` (head and body, cut as `split` says), and the echo of `body` back. */
function echoes(name: string, bytes: Buffer, body: Buffer, teaching: { split?: HttpCase['split']; why?: string; hint?: string; spec?: string } = {}): HttpCase {
  const { split, ...rest } = teaching;
  return {
    name,
    send: bytes,
    split,
    spec: rest.spec ?? FRAMING,
    why: rest.why,
    hint: rest.hint ?? 'Hand the handler every byte of the body, in order, and nothing after it.',
    expect: { status: 200, body },
  };
}

/** How many body bytes /inspect says it read. */
function bodyLengthIs(expected: number, why: string) {
  return (response: HttpResponse): void => {
    let parsed: { bodyLength?: unknown } = {};
    try {
      parsed = JSON.parse(response.body.toString('utf8')) as typeof parsed;
    } catch {
      // reported below
    }
    check(parsed.bodyLength === expected, {
      message: `Expected /inspect to have read a ${byteCount(expected)} body, received bodyLength ${JSON.stringify(parsed.bodyLength)}.`,
      why,
      spec: 'RFC 9112 §6.1, §6.3; RFC 9110 §9.3.1',
      hint: 'bodyLength(head) looks at the fields only, never at the method; read() stops after exactly that many bytes.',
    });
  };
}

const HELLO_BODY = Buffer.from('hello, body');
const SMALL = Buffer.from('one byte at a time');
const SMALL_HEAD = echo(SMALL).subarray(0, -SMALL.length);
const RANDOM = randomBytes(4000);
const ALL_BYTES = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
const INVALID_UTF8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0x80, 0xc0, 0xaf]);
const SPLIT_CRLF = echo('after a split CRLF');

httpCases(test, [
  echoes('echoes a body that came in the same write as the head', echo(HELLO_BODY), HELLO_BODY, {
    why: 'The client sends head and body in one write and waits with the connection open. The body starts right after the empty line, in bytes the head reader has already read.',
    hint: 'BodyReader.read(): take from reader.buffer first (consume), fill() only when it is empty; stop after Content-Length bytes.',
  }),
  echoes('echoes a body that trickles in one byte at a time after the head', echo(SMALL), SMALL, {
    split: [SMALL_HEAD.length, ...Array.from({ length: SMALL.length }, () => 1)],
    why: "A body can arrive in any number of 'data' events, after the head.",
    hint: 'Keep reading until Content-Length bytes have come; each read() returns what is there.',
  }),
  echoes('echoes a body cut at random points', echo(RANDOM), RANDOM, { split: 'random', hint: 'Keep reading until Content-Length bytes have come.' }),
  echoes('echoes a body whose head ends with a CR in one write and the LF in the next', SPLIT_CRLF, Buffer.from('after a split CRLF'), {
    split: [SPLIT_CRLF.indexOf('\r\n\r\n') + 3, 1000],
    why: 'The empty line that ends the head is cut between its CR and its LF; the body comes with the LF. It starts right after that LF.',
    hint: 'The body starts where readRequestHead stopped consuming: take it from reader.buffer.',
  }),
  echoes('echoes all 256 byte values untouched', echo(ALL_BYTES, [['Content-Type', 'application/octet-stream']]), ALL_BYTES, {
    why: 'A body is bytes. Decoding it as UTF-8 turns each byte sequence that is not valid UTF-8 into U+FFFD (ef bf bd), and the length changes too.',
    hint: 'Keep the pieces as Buffers from socket to socket: no toString(), no setEncoding().',
  }),
  echoes('echoes invalid UTF-8 cut in the middle of its sequences', echo(INVALID_UTF8), INVALID_UTF8, {
    split: [echo(INVALID_UTF8).length - INVALID_UTF8.length + 3, 5, 4, 100],
    why: 'Bytes that are not UTF-8 (ff, fe, c3 28, an overlong c0 af), cut across reads, must come back exactly.',
    hint: 'Keep the pieces as Buffers: no toString(), no TextDecoder.',
  }),
  echoes(
    'reads exactly Content-Length bytes: what follows the body is not part of it',
    Buffer.concat([echo('hello'), request({ target: '/' })]),
    Buffer.from('hello'),
    {
      why: 'Content-Length says where the body ends. The bytes after it are the next request, in the same write; they must stay in the reader.',
      hint: 'Consume at most the bytes left in the body: Math.min(left, buffer.length).',
    },
  ),
  ...(['content-length', 'CONTENT-LENGTH', 'Content-length'] as const).map((name) =>
    echoes(
      `reads a body framed by a field named "${name}"`,
      request({ method: 'POST', target: '/echo', headers: [[name, '5']], body: 'hello', contentLength: false }),
      Buffer.from('hello'),
      {
        why: `Field names are case-insensitive: "${name}" is Content-Length.`,
        spec: 'RFC 9110 §5.1',
        hint: 'Find the field with fieldValues(head.headers, "content-length"), which compares names case-insensitively.',
      },
    ),
  ),
  {
    name: 'frames a GET by its Content-Length too',
    send: request({ method: 'GET', target: '/inspect', body: 'a body on a GET' }),
    spec: 'RFC 9112 §6.1, §6.3; RFC 9110 §9.3.1',
    expect: {
      status: 200,
      check: bodyLengthIs(
        15,
        'The header fields alone say whether there is a body, whatever the method: a GET with Content-Length has a body of that length. A server that ignores it reads the body as the start of the next request.',
      ),
    },
  },
  {
    name: 'reads no body when a request has neither Content-Length nor Transfer-Encoding',
    send: request({ method: 'POST', target: '/inspect' }),
    spec: 'RFC 9112 §6.3, rule 7',
    expect: { status: 200, check: bodyLengthIs(0, 'Without Content-Length or Transfer-Encoding a request has no body, whatever the method.') },
  },
]);

test('streams an 8 MiB body back: the echo starts before the client has sent it all', async ({ server }) => {
  const body = randomBytes(8 * MiB);
  const client = await server.connect();
  // The head and the first MiB; the rest only once the echo has started.
  await client.send(Buffer.concat([echo(body).subarray(0, -body.length), body.subarray(0, MiB)]));
  const why =
    'The handler hands the body on piece by piece: the echo begins while the client is still sending. Holding the whole body first would need 8 MiB of memory per request, and the response would wait for the last byte.';
  const response = await readResponseHead(client, {
    timeoutMs: 3000,
    why,
    spec: FRAMING,
    hint: 'Do not collect the body before answering: read() returns one piece at a time, and the writer sends each on as it comes.',
  });
  checkStatus(response, 200, { why });
  checkHeader(response, 'Content-Length', String(body.length), { why: 'The echo is as long as the request body.' });
  const early = await client.readExactly(64 * 1024, { timeoutMs: 3000 }).catch(() => {
    throw new LessonFailure({
      message: `Expected the first 64 KiB of the echo while the client still holds back 7 MiB of the body, received ${byteCount(client.buffered)} of it within 3 s.`,
      why: `${why} The client has sent 1 MiB of the body and waits for some of it to come back before sending more.`,
      spec: FRAMING,
      hint: 'Each piece read from the body should be written out before the next is read: return it from read() as soon as it is there.',
    });
  });
  await client.send(body.subarray(MiB));
  const rest = await client.readExactly(body.length - early.length, { timeoutMs: 8000, hint: 'Every byte of the body must come back, in order.' });
  const back = Buffer.concat([early, rest]);
  check(back.equals(body), {
    message: `Expected the echo of all ${byteCount(body.length)} unchanged, received a different ${byteCount(back.length)}.`,
    expected: body,
    received: back,
  });
});

// Hidden tests for http-body: bodies framed by Content-Length, read as a stream that
// starts with the bytes that came with the head; invalid lengths, limits and Transfer-Encoding
// refused. POST /echo sends the body back; /inspect says how many body bytes it read.

import { randomBytes } from 'node:crypto';
import {
  serverTest,
  check,
  quote,
  byteCount,
  request,
  exchange,
  checkStatus,
  checkHeader,
  expectClosedAfter,
  readResponse,
  readResponseHead,
  LessonFailure,
  type Server,
  type HttpResponse,
  type RequestSpec,
} from '#harness/testing/index.ts';
import { WIRE_MALFORMED } from '../../07-http-request-head/.check/cases.ts';

const test = serverTest('http-body');

const MiB = 1024 * 1024;
const FRAMING = 'RFC 9112 §6.2 (Content-Length), §6.3 (message body length)';

/** Sends `bytes` (cut as asked) on a new connection and reads one response. */
async function ask(server: Server, bytes: Buffer | Buffer[], options: { split?: 'whole' | 'trickle' | 'random'; method?: string; why?: string; hint?: string; spec?: string; timeoutMs?: number } = {}): Promise<HttpResponse> {
  const client = await server.connect();
  return exchange(client, bytes, { spec: FRAMING, ...options });
}

/** Fails unless the echo is exactly `body`. */
function checkEcho(response: HttpResponse, body: Buffer, what: string, extra: { why?: string; hint?: string } = {}): void {
  checkStatus(response, 200, {
    why: `POST /echo answers 200 with the request body. ${extra.why ?? ''}`.trim(),
    hint: response.status === 501 && response.body.includes('not written yet') ? 'The body of the 501 names the function that is not written yet.' : extra.hint,
  });
  check(response.body.equals(body), {
    message: `Expected the echo of ${what} (${byteCount(body.length)}), received ${byteCount(response.body.length)}${response.body.length <= 64 ? `: ${quote(response.body)}` : ''}.`,
    expected: body,
    received: response.body,
    why: extra.why,
    hint: extra.hint ?? 'Hand the handler every byte of the body, in order, and nothing after it.',
  });
}

const echo = (body: Buffer | string, headers: RequestSpec['headers'] = []) => request({ method: 'POST', target: '/echo', headers, body });

test('echoes a body that came in the same write as the head', async ({ server }) => {
  const body = Buffer.from('hello, body');
  const response = await ask(server, echo(body), {
    why: 'The client sends head and body in one write and waits with the connection open. The body starts right after the empty line, in bytes the head reader has already read.',
    hint: 'Read the body from reader.buffer first, and from the connection only when that is empty; stop after Content-Length bytes.',
  });
  checkEcho(response, body, 'an 11-byte body sent with the head', {
    why: 'The bytes that came with the head are the start of the body.',
    hint: 'BodyReader.read(): take from reader.buffer first (consume), fill() only when it is empty.',
  });
});

test('echoes a body that trickles in after the head', async ({ server }) => {
  const small = Buffer.from('one byte at a time');
  const client = await server.connect();
  await client.send(echo(small).subarray(0, -small.length));
  await client.send(small, { split: 'trickle' });
  checkEcho(await readResponse(client, { spec: FRAMING }), small, 'a body sent one byte at a time', {
    why: "A body can arrive in any number of 'data' events, after the head.",
    hint: 'Keep reading until Content-Length bytes have come; each read() returns what is there.',
  });
  const body = randomBytes(4000);
  const response = await ask(server, echo(body), { split: 'random', hint: 'Keep reading until Content-Length bytes have come.' });
  checkEcho(response, body, 'a body cut at random points');
});

test('echoes all 256 byte values untouched', async ({ server }) => {
  const body = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
  const response = await ask(server, echo(body, [['Content-Type', 'application/octet-stream']]));
  checkEcho(response, body, 'every byte value', {
    why: 'A body is bytes. Decoding it as UTF-8 turns each byte sequence that is not valid UTF-8 into U+FFFD (ef bf bd), and the length changes too.',
    hint: 'Keep the pieces as Buffers from socket to socket: no toString(), no setEncoding().',
  });
});

test('reads exactly Content-Length bytes: what follows the body is not part of it', async ({ server }) => {
  const body = Buffer.from('hello');
  const next = request({ target: '/' });
  const client = await server.connect();
  await client.send([echo(body), next]);
  const response = await readResponse(client, { spec: FRAMING, why: 'The body ends after Content-Length bytes; the next request may follow at once, in the same write.' });
  checkEcho(response, body, 'a 5-byte body followed by another request', {
    why: 'Content-Length says where the body ends. The bytes after it are the next request, and they must stay in the reader.',
    hint: 'Consume at most the bytes left in the body: Math.min(left, buffer.length).',
  });
});

test('streams an 8 MiB body back: the echo starts before the client has sent it all', async ({ server }) => {
  const body = randomBytes(8 * MiB);
  const client = await server.connect();
  // The head and the first MiB; the rest only once the echo has started.
  await client.send(Buffer.concat([echo(body).subarray(0, -body.length), body.subarray(0, MiB)]));
  const why = 'The handler hands the body on piece by piece: the echo begins while the client is still sending. Holding the whole body first would need 8 MiB of memory per request, and the response would wait for the last byte.';
  const response = await readResponseHead(client, { timeoutMs: 3000, why, spec: FRAMING, hint: 'Do not collect the body before answering: read() returns one piece at a time, and the writer sends each on as it comes.' });
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
  check(back.equals(body), { message: `Expected the echo of all ${byteCount(body.length)} unchanged, received a different ${byteCount(back.length)}.`, expected: body, received: back });
});

test('frames a GET by its Content-Length too', async ({ server }) => {
  const body = Buffer.from('a body on a GET');
  const response = await ask(server, request({ method: 'GET', target: '/inspect', body }), {
    why: 'The header fields alone say whether there is a body, whatever the method: a GET with Content-Length has a body of that length.',
  });
  checkStatus(response, 200);
  const parsed = JSON.parse(response.body.toString('utf8')) as { method: string; bodyLength: number };
  check(parsed.method === 'GET' && parsed.bodyLength === body.length, {
    message: `Expected /inspect to read a ${body.length}-byte body on the GET, received bodyLength ${JSON.stringify(parsed.bodyLength)}.`,
    why: 'RFC 9112 §6.3: the length of a request body is set by Content-Length (or Transfer-Encoding) alone. A server that ignores it on GET reads the body as the start of the next request.',
    spec: 'RFC 9112 §6.1, §6.3; RFC 9110 §9.3.1',
    hint: 'bodyLength(head) looks at the fields only, never at the method.',
  });
  const none = await ask(server, request({ method: 'POST', target: '/inspect' }));
  const zero = JSON.parse(none.body.toString('utf8')) as { bodyLength: number };
  check(zero.bodyLength === 0, { message: `Expected a request without Content-Length to have no body, received bodyLength ${zero.bodyLength}.`, spec: 'RFC 9112 §6.3, rule 7' });
});

const INVALID_LENGTHS: Array<{ what: string; fields: Array<[string, string]>; hint: string }> = [
  { what: 'letters', fields: [['Content-Length', 'abc']], hint: 'Content-Length is 1*DIGIT: test it with /^\\d+$/ before converting.' },
  { what: 'a minus sign', fields: [['Content-Length', '-5']], hint: 'No signs: only the digits 0-9.' },
  { what: 'a plus sign', fields: [['Content-Length', '+5']], hint: 'No signs: Number("+5") is 5, but "+5" is not 1*DIGIT.' },
  { what: 'a decimal point', fields: [['Content-Length', '1.5']], hint: 'parseInt("1.5") is 1: check the whole value first.' },
  { what: 'a hexadecimal number', fields: [['Content-Length', '0x10']], hint: 'Number("0x10") is 16: check the whole value first.' },
  { what: 'digits and trailing letters', fields: [['Content-Length', '5abc']], hint: 'parseInt("5abc") is 5: check the whole value first.' },
  { what: 'an empty value', fields: [['Content-Length', '']], hint: 'Number("") is 0, but an empty value is not 1*DIGIT.' },
  { what: 'a space inside the number', fields: [['Content-Length', '1 5']], hint: 'Only the spaces around the value are optional.' },
  { what: 'a number too large to hold exactly (2^64 + 1)', fields: [['Content-Length', '18446744073709551617']], hint: 'Past Number.MAX_SAFE_INTEGER a length cannot be counted exactly: Number.isSafeInteger() it, and answer 400 (not 413).' },
  { what: 'two Content-Length fields that differ', fields: [['Content-Length', '5'], ['Content-Length', '6']], hint: 'Collect every Content-Length value; if they differ, 400.' },
  { what: 'a list of differing lengths ("5, 6")', fields: [['Content-Length', '5, 6']], hint: 'Split each value at commas; all the numbers must be the same.' },
];

test('answers an invalid Content-Length with 400 and closes the connection', async ({ server }) => {
  for (const bad of INVALID_LENGTHS) {
    const client = await server.connect();
    const response = await exchange(client, request({ method: 'POST', target: '/echo', headers: bad.fields, body: 'hello', contentLength: false }), { spec: FRAMING });
    const shown = bad.fields.map(([n, v]) => `"${n}: ${v}"`).join(' and ');
    checkStatus(response, 400, {
      why: `The request has ${shown} (${bad.what}). With no valid length nobody can tell where the body ends, and where the next request would start: the server answers 400 and closes.`,
      spec: 'RFC 9112 §6.3, rule 5; RFC 9110 §8.6',
      hint: bad.hint,
    });
    await expectClosedAfter(client, 'the 400 response', { why: 'After an invalid Content-Length the rest of the connection cannot be read: close it.', spec: 'RFC 9112 §6.3, rule 5' });
  }
});

test("refuses a body over its route's limit with 413, before it is sent", async ({ server }) => {
  for (const [target, length, limit] of [['/echo', 16 * MiB + 1, '16 MiB'], ['/inspect', 2 * MiB, '1 MiB (the default)']] as const) {
    const client = await server.connect();
    const response = await exchange(client, request({ method: 'POST', target, headers: [['Content-Length', String(length)]] }), {
      spec: 'RFC 9110 §15.5.14 (413 Content Too Large)',
      why: `The client announced ${byteCount(length)} for ${target}, whose limit is ${limit}, and waits for the answer before sending any of it.`,
      hint: 'Compare Content-Length with the route\'s maxBodyBytes before reading the body (openBody), and throw new HttpError(413, …).',
    });
    checkStatus(response, 413, { why: `${target} takes at most ${limit}; the length is known from the head, so the server can refuse without reading a byte of the body.`, spec: 'RFC 9110 §15.5.14' });
    await expectClosedAfter(client, 'the 413 response', { why: 'The unread body would otherwise be read as the next request.' });
  }
});

test('answers Transfer-Encoding with 501 for now, and closes the connection', async ({ server }) => {
  // The same body framed by Content-Length is echoed: it is Transfer-Encoding that is refused.
  checkEcho(await ask(server, echo('hello')), Buffer.from('hello'), 'a 5-byte body framed by Content-Length');
  const chunked = request({ method: 'POST', target: '/echo', headers: [['Transfer-Encoding', 'chunked']], body: '5\r\nhello\r\n0\r\n\r\n' });
  const client = await server.connect();
  const response = await exchange(client, chunked, { spec: 'RFC 9112 §6.1' });
  checkStatus(response, 501, {
    why: 'With Transfer-Encoding, the body is framed by the coding (chunks), not by Content-Length. This server cannot read chunked bodies yet (the next part teaches it), so it must not guess: 501 Not Implemented.',
    spec: 'RFC 9112 §6.1, §6.3 rule 4',
    hint: 'In bodyLength, any Transfer-Encoding field → throw new HttpError(501, …).',
  });
  await expectClosedAfter(client, 'the 501 response');
  const both = request({ method: 'POST', target: '/echo', headers: [['Transfer-Encoding', 'chunked'], ['Content-Length', '5']], body: '5\r\nhello\r\n0\r\n\r\n', contentLength: false });
  const client2 = await server.connect();
  const refused = await exchange(client2, both, { spec: 'RFC 9112 §6.3 rule 3' });
  check(refused.status === 400 || refused.status === 501, {
    message: `Expected 400 or 501 for a request with both Transfer-Encoding and Content-Length, received ${refused.summary()}.`,
    why: 'A request with both is how request smuggling begins: one server reads Content-Length, another the chunks. Transfer-Encoding overrides Content-Length, and the connection must close after the response.',
    spec: 'RFC 9112 §6.3 rule 3',
    hint: 'Check Transfer-Encoding before Content-Length.',
  });
  await expectClosedAfter(client2, `the ${refused.status} response`, { spec: 'RFC 9112 §6.3 rule 3' });
});

test('survives a client that leaves in the middle of a body', async ({ server }) => {
  const client = await server.connect('leaver');
  await client.send(Buffer.concat([request({ method: 'POST', target: '/echo', headers: [['Content-Length', '1000']] }), Buffer.alloc(100, 0x61)]));
  await client.end();
  await client.expectClose({
    timeoutMs: 3000,
    why: 'The client promised 1000 bytes, sent 100 and closed. The body can never be finished; the server gives up on this connection (read() at EOF with bytes still missing is an error) and keeps serving others.',
    hint: 'In read(): if fill() reports EOF while bytes of the body are missing, throw.',
  });
  const response = await ask(server, echo('still here'));
  checkEcho(response, Buffer.from('still here'), 'a body after a client left mid-body');
});

test('still answers as http-request-head and http-response did', async ({ server }) => {
  const head = await ask(server, request({ method: 'HEAD', target: '/greeting' }), { method: 'HEAD' });
  checkStatus(head, 200, { why: 'HEAD is answered like GET, without the body (http-response).' });
  const missing = await ask(server, request({ method: 'POST', target: '/nowhere', body: 'ignored' }));
  checkStatus(missing, 404, { why: 'An unknown path is a 404 whatever the method and the body (http-response).' });
  const client = await server.connect();
  const spaced = WIRE_MALFORMED.find((c) => c.what.startsWith('whitespace between'))!;
  const bad = await exchange(client, Buffer.from(spaced.head, 'latin1'));
  checkStatus(bad, 400, { why: `The request has ${spaced.what}: still a 400 (http-request-head).`, spec: spaced.spec });
  await expectClosedAfter(client, 'the 400 response');
});

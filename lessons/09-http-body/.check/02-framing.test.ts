// Hidden tests for http-body, part 2: lengths that cannot be read (400), bodies over a route's
// limit (413, exactly at it and one past), Transfer-Encoding (501 for now), bodies cut short by
// the client, and the parser and writer of the lessons before.

import {
  serverTest,
  httpCases,
  check,
  checkResponse,
  byteCount,
  request,
  exchange,
  expectClosedAfter,
  readResponse,
  checkStatus,
  type HttpCase,
} from '#harness/testing/index.ts';
import { WIRE_MALFORMED } from '../../07-http-request-head/.check/cases.ts';

const test = serverTest('http-body');

const MiB = 1024 * 1024;
const INVALID = 'RFC 9112 §6.3, rule 5; RFC 9110 §8.6';

const INVALID_LENGTHS: Array<{ what: string; fields: Array<[string, string]>; hint: string }> = [
  { what: 'letters', fields: [['Content-Length', 'abc']], hint: 'Content-Length is 1*DIGIT: test it with /^\\d+$/ before converting.' },
  { what: 'a minus sign', fields: [['Content-Length', '-5']], hint: 'No signs: only the digits 0-9.' },
  { what: 'a plus sign', fields: [['Content-Length', '+5']], hint: 'No signs: Number("+5") is 5, but "+5" is not 1*DIGIT.' },
  { what: 'a decimal point', fields: [['Content-Length', '1.5']], hint: 'parseInt("1.5") is 1: check the whole value first.' },
  { what: 'an exponent', fields: [['Content-Length', '1e1']], hint: 'Number("1e1") is 10: check the whole value first.' },
  { what: 'a hexadecimal number', fields: [['Content-Length', '0x10']], hint: 'Number("0x10") is 16: check the whole value first.' },
  { what: 'digits and trailing letters', fields: [['Content-Length', '5abc']], hint: 'parseInt("5abc") is 5: check the whole value first.' },
  { what: 'an empty value', fields: [['Content-Length', '']], hint: 'Number("") is 0, but an empty value is not 1*DIGIT.' },
  { what: 'a space inside the number', fields: [['Content-Length', '1 5']], hint: 'Only the spaces around the value are optional.' },
  {
    what: 'a no-break space (byte 0xa0) after the digits',
    fields: [['Content-Length', '5\xa0']],
    hint: "Trim only spaces and tabs (.replace(/^[ \\t]+|[ \\t]+$/g, '')): String.trim() and Number() also drop 0xa0.",
  },
  {
    what: 'a no-break space (byte 0xa0) in a list',
    fields: [['Content-Length', '5,\xa05']],
    hint: "Trim the elements of a list with .replace(/^[ \\t]+|[ \\t]+$/g, ''), not .trim().",
  },
  {
    what: 'a number too large to hold exactly (2^64 + 1)',
    fields: [['Content-Length', '18446744073709551617']],
    hint: 'Past Number.MAX_SAFE_INTEGER a length cannot be counted exactly: Number.isSafeInteger() it, and answer 400 (not 413).',
  },
  {
    what: 'two Content-Length fields that differ',
    fields: [
      ['Content-Length', '5'],
      ['Content-Length', '6'],
    ],
    hint: 'Collect every Content-Length value; if they differ, 400.',
  },
  { what: 'a list of differing lengths ("5, 6")', fields: [['Content-Length', '5, 6']], hint: 'Split each value at commas; all the numbers must be the same.' },
];

function invalidLength(bad: (typeof INVALID_LENGTHS)[number]): HttpCase {
  const shown = bad.fields.map(([n, v]) => `"${n}: ${v}"`).join(' and ');
  return {
    name: `answers a Content-Length with ${bad.what} with 400 and closes`,
    send: request({ method: 'POST', target: '/echo', headers: bad.fields, body: 'hello', contentLength: false }),
    why: `The request has ${shown.replace(/\xa0/g, '\\xa0')} (${bad.what}). With no valid length nobody can tell where the body ends, and where the next request would start: the server answers 400 and closes.`,
    spec: INVALID,
    hint: bad.hint,
    expect: { status: 400, close: true },
  };
}

/** A body of `length` announced to `target`, whose limit is `limit`, sent only if asked for. */
function overLimit(target: string, length: number, limit: string): HttpCase {
  return {
    name: `refuses a body of ${length} bytes on ${target}, one byte over its limit of ${limit}, with 413 before it is sent`,
    send: request({ method: 'POST', target, headers: [['Content-Length', String(length)]] }),
    why: `The client announced ${byteCount(length)} for ${target}, whose limit is ${limit}, and waits for the answer before sending any of it. The length is known from the head, so the server refuses without reading a byte; the unread body would otherwise be read as the next request, so it closes.`,
    spec: 'RFC 9110 §15.5.14 (413 Content Too Large)',
    hint: "Compare Content-Length with the route's maxBodyBytes before reading the body (openBody): length > max, and throw new HttpError(413, …).",
    expect: { status: 413, close: true },
  };
}

const TE =
  'With Transfer-Encoding, the body is framed by the coding (chunks), not by Content-Length. This server cannot read chunked bodies yet (the next part teaches it), so it must not guess: 501 Not Implemented, and close, since where the body ends is unknown.';

httpCases(test, [
  ...INVALID_LENGTHS.map(invalidLength),
  {
    name: `accepts a body of exactly ${MiB} bytes (1 MiB) on /inspect, its limit`,
    send: request({ method: 'POST', target: '/inspect', body: Buffer.alloc(MiB, 0x61) }),
    why: 'A route without its own limit takes at most 1 MiB (DEFAULT_MAX_BODY_BYTES). This body is exactly that long: it is accepted and read.',
    spec: 'RFC 9110 §15.5.14',
    hint: 'Refuse only bodies longer than the limit: length > maxBytes, not >=.',
    timeoutMs: 5000,
    expect: { status: 200, body: /"bodyLength": 1048576/ },
  },
  overLimit('/inspect', MiB + 1, '1 MiB (the default)'),
  overLimit('/echo', 16 * MiB + 1, '16 MiB'),
  ...(['Transfer-Encoding', 'transfer-encoding', 'TRANSFER-ENCODING'] as const).map((name) => ({
    name: `answers a body framed by "${name}: chunked" with 501 and closes`,
    send: request({ method: 'POST', target: '/echo', headers: [[name, 'chunked']], body: '5\r\nhello\r\n0\r\n\r\n' }),
    why: `${TE} Field names are case-insensitive: "${name}" is Transfer-Encoding.`,
    spec: 'RFC 9112 §6.1, §6.3 rule 4; RFC 9110 §5.1',
    hint: 'In bodyLength, any Transfer-Encoding field (fieldValues(head.headers, "transfer-encoding")) → throw new HttpError(501, …).',
    expect: { status: 501, close: true },
  })),
]);

test('answers a body cut short by the client (FIN) on a route that reads it all first with 400, not 200', async ({ server }) => {
  const client = await server.connect('short');
  await client.send(Buffer.concat([request({ method: 'POST', target: '/inspect', headers: [['Content-Length', '1000']] }), Buffer.alloc(100, 0x61)]));
  await client.end();
  const teaching = {
    why: 'The client promised 1000 bytes, sent 100 and closed its side (FIN). /inspect answers only after reading the whole body, so it can still answer honestly: the request is incomplete (400), not a 100-byte body (200).',
    spec: 'RFC 9112 §8 (incomplete messages), §6.3',
    hint: 'In read(): if fill() reports EOF while bytes of the body are missing, throw new HttpError(400, …); never return an empty piece before the end.',
  };
  const response = await readResponse(client, { what: 'the response to a body cut short', ...teaching });
  await checkResponse(client, response, { status: 400, close: true }, 'the response to a body cut short', teaching);
});

test('survives a client that leaves in the middle of a body, by FIN or by RST', async ({ server }) => {
  const leaver = await server.connect('leaver');
  await leaver.send(Buffer.concat([request({ method: 'POST', target: '/echo', headers: [['Content-Length', '1000']] }), Buffer.alloc(100, 0x61)]));
  await leaver.end();
  await leaver.expectClose({
    timeoutMs: 3000,
    why: 'The client promised 1000 bytes, sent 100 and closed. The body can never be finished; the server gives up on this connection (read() at EOF with bytes still missing is an error) and keeps serving others.',
    hint: 'In read(): if fill() reports EOF while bytes of the body are missing, throw.',
  });
  const resetter = await server.connect('resetter');
  await resetter.send(Buffer.concat([request({ method: 'POST', target: '/echo', headers: [['Content-Length', '1000']] }), Buffer.alloc(100, 0x61)]));
  await resetter.readFor(20);
  resetter.reset();
  const client = await server.connect();
  const response = await exchange(client, request({ method: 'POST', target: '/echo', body: 'still here' }));
  checkStatus(response, 200, { why: 'Clients that leave mid-body (FIN or RST) end their own connection, not the server.' });
  check(response.body.toString() === 'still here', { message: `Expected the echo "still here", received ${response.summary()}.` });
});

test('answers a request with both Transfer-Encoding and Content-Length with 400 or 501, and closes', async ({ server }) => {
  const both = request({
    method: 'POST',
    target: '/echo',
    headers: [
      ['Transfer-Encoding', 'chunked'],
      ['Content-Length', '5'],
    ],
    body: '5\r\nhello\r\n0\r\n\r\n',
    contentLength: false,
  });
  const client = await server.connect();
  const refused = await exchange(client, both, { spec: 'RFC 9112 §6.3 rule 3' });
  check(refused.status === 400 || refused.status === 501, {
    message: `Expected 400 or 501 for a request with both Transfer-Encoding and Content-Length, received ${refused.summary()}.`,
    why: 'A request with both is how request smuggling begins: one server reads Content-Length, another the chunks. Transfer-Encoding overrides Content-Length, and the connection must close after the response.',
    spec: 'RFC 9112 §6.3 rule 3',
    hint: 'Check Transfer-Encoding before Content-Length.',
  });
  await expectClosedAfter(client, `the ${refused.status} response`, { spec: 'RFC 9112 §6.3 rule 3' });
});

test('still answers as http-request-head and http-response did', async ({ server }) => {
  const head = await exchange(await server.connect(), request({ method: 'HEAD', target: '/greeting' }), { method: 'HEAD' });
  checkStatus(head, 200, { why: 'HEAD is answered like GET, without the body (http-response).' });
  const missing = await exchange(await server.connect(), request({ method: 'POST', target: '/nowhere', body: 'ignored' }));
  checkStatus(missing, 404, { why: 'An unknown path is a 404 whatever the body (http-response).' });
  const client = await server.connect();
  const spaced = WIRE_MALFORMED.find((c) => c.what.startsWith('whitespace between'))!;
  const bad = await exchange(client, Buffer.from(spaced.head, 'latin1'));
  checkStatus(bad, 400, { why: `The request has ${spaced.what}: still a 400 (http-request-head).`, spec: spaced.spec });
  await expectClosedAfter(client, 'the 400 response');
});

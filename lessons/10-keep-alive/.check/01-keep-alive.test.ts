// Hidden tests for keep-alive, part 1: many requests on one connection, pipelined ones in order,
// unread bodies drained, Connection: close and HTTP/1.0 honoured, errors closing the connection,
// many connections at once. Timeouts are checked in 02-idle and 03-deadline, the close in 04-closing.

import { serverTest, httpCases, runCase, checkNoLeakedSockets, request, type Exchange, type HttpCase } from '#harness/testing/index.ts';
import { WIRE_MALFORMED } from '../../07-http-request-head/.check/cases.ts';
import { PERSIST, echo, greeting, headOf, hello, inspect, notClosing, slow, unreadBody } from './cases.ts';

const test = serverTest('keep-alive');

const MiB = 1024 * 1024;
const NEXT = {
  why: 'HTTP/1.1 keeps a connection open after a response unless a side asked to close it: the client sends its next request on the same connection.',
  spec: PERSIST,
  hint: 'Loop: after answering a request, read the next one from the same reader, until the client closes.',
};
const PIPELINED = {
  why: 'The client sent its requests in one go, without waiting (pipelining). The server answers them one after another, in order, from the bytes it has already read.',
  spec: 'RFC 9112 §9.3.2 (pipelining)',
  hint: 'Keep one reader for the whole connection: the bytes after one request are the start of the next.',
  timeoutMs: 3000,
};

/** The exchange, and the connection must still be open after its response. */
const thenOpen = (exchange: Exchange): Exchange => ({ ...exchange, expect: { ...exchange.expect, close: false, check: exchange.expect.check ?? notClosing } });

/** A request that asks to close, and the response that must say so and close. */
function closing(what: string, spec: Parameters<typeof request>[0], expect: Partial<Exchange['expect']> = {}): Exchange {
  return { what, send: request(spec), expect: { status: 200, fields: { Connection: /(^|,)\s*close\s*(,|$)/i }, close: true, ...expect } };
}

const sixteen: Exchange[] = [
  inspect(1),
  slow(),
  echo('the second body'),
  greeting(),
  echo(Buffer.alloc(10_000, 0x61)),
  headOf('/'),
  inspect(7, { method: 'POST', body: 'posted to inspect' }),
  hello(),
  slow(),
  echo(''),
  inspect(11),
  echo(Buffer.from(Array.from({ length: 256 }, (_, i) => i))),
  greeting(),
  inspect(14, { method: 'PUT', body: 'x'.repeat(300) }),
  headOf('/greeting'),
  thenOpen(hello()),
];

const hundred: Exchange[] = Array.from(
  { length: 100 },
  (_, i) => [hello(), greeting(), inspect(i), echo(`body of request ${i + 1}`), headOf('/greeting')][i % 5]!,
);
hundred[99] = thenOpen(hundred[99]!);

const BAD = WIRE_MALFORMED.find((c) => c.what.startsWith('whitespace between'))!;

const cases: HttpCase[] = [
  { name: 'answers two requests, one after the other, on one connection', exchanges: [thenOpen(hello()), greeting()], ...NEXT },
  { name: 'answers 100 requests, one after another, on one connection', exchanges: hundred, ...NEXT },
  {
    name: 'answers a GET with a body, framed by its Content-Length, and then the next request',
    pipelined: true,
    exchanges: [inspect(1, { body: 'a body on a GET' }), hello(), inspect(2)],
    ...PIPELINED,
  },
  { name: 'answers 16 pipelined requests, sent in one write, in order', pipelined: true, exchanges: sixteen, ...PIPELINED },
  ...[1, 2, 3].map((round) => ({
    name: `answers pipelined requests that arrive cut at random points (round ${round})`,
    pipelined: true,
    split: 'random' as const,
    exchanges: [echo(`first of round ${round}, cut anywhere`), inspect(2), hello(), echo('fourth'), greeting(), inspect(6, { method: 'POST', body: 'sixth' })],
    ...PIPELINED,
  })),
  {
    name: 'skips a body its handler did not read before reading the next request',
    exchanges: [
      unreadBody('POST', '/', 1000, 405),
      greeting(),
      unreadBody('GET', '/', 64 * 1024, 200),
      inspect(4),
      unreadBody('POST', '/nowhere', 5000, 404),
      hello(),
    ],
    ...NEXT,
  },
  {
    name: 'skips unread bodies in a pipeline',
    pipelined: true,
    exchanges: [unreadBody('POST', '/', 2000, 405), hello(), unreadBody('DELETE', '/greeting', 300, 405), inspect(4)],
    ...PIPELINED,
  },
  {
    name: 'skips an unread body of exactly 1 MiB, the limit, and answers the request behind it',
    pipelined: true,
    exchanges: [unreadBody('POST', '/', MiB, 405), hello()],
    ...PIPELINED,
    timeoutMs: 5000,
  },
  {
    name: 'skips an unread body framed by a field named "content-length"',
    pipelined: true,
    exchanges: [
      {
        ...unreadBody('POST', '/', 0, 405),
        send: request({ method: 'POST', target: '/', headers: [['content-length', '11']], body: 'not a head!', contentLength: false }),
      },
      hello(),
    ],
    ...PIPELINED,
  },
  ...(
    [
      ['Connection', 'close'],
      ['Connection', 'Close'],
      ['Connection', 'keep-alive, close'],
      ['connection', 'close'],
      ['CONNECTION', 'CLOSE'],
    ] as const
  ).map(([name, value]) => ({
    name: `closes after a request that says "${name}: ${value}", and says so too`,
    exchanges: [
      thenOpen(hello()),
      closing(
        `GET /greeting with "${name}: ${value}"`,
        { target: '/greeting', headers: [[name, value]] },
        { body: Buffer.from('Grüße aus Köln — 你好, 世界 👋\n') },
      ),
    ],
    why: 'The client asked to close after this response. The server honours it and says so in the response, so that nobody sends another request on the connection. Field names and connection options are both case-insensitive.',
    spec: 'RFC 9112 §9.6; RFC 9110 §5.1, §7.6.1',
    hint: 'Collect the Connection field with fieldValues(head.headers, "connection"); split it at commas, trim, lower-case, and look for "close".',
  })),
  {
    name: 'closes after an HTTP/1.0 request that did not ask for keep-alive',
    exchanges: [closing('an HTTP/1.0 GET /', { target: '/', version: 'HTTP/1.0' })],
    why: 'HTTP/1.0 closes the connection after each response unless the request says "Connection: keep-alive".',
    spec: 'RFC 9112 §9.3; RFC 9112 Appendix C.2.2',
    hint: 'For HTTP/1.0, keep the connection only when the Connection field lists keep-alive.',
  },
  {
    name: 'keeps an HTTP/1.0 connection open when it asks for keep-alive, and says so',
    exchanges: [
      {
        ...hello(),
        what: 'HTTP/1.0 GET / with "Connection: keep-alive"',
        send: request({ target: '/', version: 'HTTP/1.0', headers: [['Connection', 'keep-alive']] }),
        expect: { ...hello().expect, fields: { Connection: /keep-alive/i }, close: false },
      },
      {
        ...greeting(),
        what: 'HTTP/1.0 GET /greeting with "connection: Keep-Alive"',
        send: request({ target: '/greeting', version: 'HTTP/1.0', headers: [['connection', 'Keep-Alive']] }),
        expect: { ...greeting().expect, fields: { Connection: /keep-alive/i }, close: false },
      },
      closing('HTTP/1.0 GET / without keep-alive', { target: '/', version: 'HTTP/1.0' }),
    ],
    why: 'An HTTP/1.0 client assumes the server closes after the response unless the response says keep-alive; without it, the client waits for the close. The last request does not ask, so the server closes after it.',
    spec: 'RFC 9112 §9.3, Appendix C.2.2; RFC 2068 §19.7.1',
    hint: 'When you keep an HTTP/1.0 connection open, send "Connection: keep-alive".',
  },
  {
    name: 'answers a malformed request in a pipeline after the good ones before it, then closes',
    pipelined: true,
    exchanges: [
      hello(),
      greeting(),
      {
        what: `the third request, which has ${BAD.what}`,
        send: Buffer.concat([Buffer.from(BAD.head, 'latin1'), request({ target: '/' })]),
        expect: { status: 400, close: true },
      },
    ],
    why: 'After a request it cannot read, the server cannot know where the next one starts; the fourth request is never answered.',
    spec: 'RFC 9112 §9.6; RFC 9110 §15.5.1',
    hint: 'After answering an HttpError, leave the loop and close.',
  },
  ...(
    [
      ['an invalid Content-Length', request({ method: 'POST', target: '/echo', headers: [['Content-Length', '1.5']], body: 'x', contentLength: false }), 400],
      [
        'Transfer-Encoding: chunked',
        request({ method: 'POST', target: '/echo', headers: [['Transfer-Encoding', 'chunked']], body: '1\r\nx\r\n0\r\n\r\n' }),
        501,
      ],
      ['a body over the limit of /echo', request({ method: 'POST', target: '/echo', headers: [['Content-Length', String(64 * MiB)]] }), 413],
    ] as const
  ).map(([what, bytes, status]) => ({
    name: `still refuses a request with ${what} on a kept-alive connection, and closes after it`,
    exchanges: [thenOpen(echo('a good one first')), { what: `a request with ${what}`, send: bytes, expect: { status, close: true } }],
    why: "Where this request's body ends is unknown (or it will not be read): the connection cannot carry another request.",
    spec: 'RFC 9112 §6.3',
    hint: 'After answering an HttpError, leave the loop and close.',
  })),
];

// Each case on its own connection, all at once: many wait 100 ms to see a connection stay open.
httpCases(test, cases, { concurrent: true });

test('serves 100 connections at once, each with several requests', async ({ server }) => {
  const clients = await Promise.all(Array.from({ length: 100 }, (_, i) => server.connect(`c${i + 1}`)));
  await Promise.all(
    clients.map((client, i) => runCase(client, { name: `client ${i + 1}`, exchanges: [hello(), echo(`client ${i + 1}`), inspect(i)], ...NEXT })),
  );
});

test('ends its side when the client closes between requests, and keeps no sockets', async ({ server }) => {
  for (let i = 0; i < 100; i++) {
    const client = await server.connect(`seq${i + 1}`);
    await runCase(client, { name: 'one request', exchanges: [{ ...hello(), expect: { ...hello().expect, check: notClosing } }] });
    await client.end();
    await client.expectClose({
      why: 'The client closed its side between requests: there will be no next request.',
      hint: 'When the reader reports EOF before a request begins, leave the loop and end the connection.',
    });
    client.destroy();
  }
  await checkNoLeakedSockets(server, 100, {
    why: 'A connection loop that never ends keeps a socket (and its memory) per client that ever came.',
    hint: 'At EOF between requests, leave the loop; the server then ends and destroys the socket.',
  });
});

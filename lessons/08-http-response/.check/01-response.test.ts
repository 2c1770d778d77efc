// Hidden tests for http-response, part 1: responses on the wire, one case per rule: the status
// line, Content-Length in bytes, Date, HEAD, the router's 200, 404, 405 and 501, and the parser of
// http-request-head still in place. Most basic first.

import { serverTest, httpCases, check, quote, REASON_PHRASES, type HttpCase, type HttpResponse, type RequestSpec } from '#harness/testing/index.ts';
import { WIRE_MALFORMED, BAD_TARGETS, headOfSize, MAX_HEAD } from '../../07-http-request-head/.check/cases.ts';

const test = serverTest('http-response');

const HELLO = 'Hello, world!\n';
const GREETING = 'Grüße aus Köln — 你好, 世界 👋\n';
const WRITER = 'RFC 9112 §4 (status line), §5 (field lines); RFC 9110 §8.6 (Content-Length)';
const ONE_STRING = 'Build the head as one string: status line, one "Name: value" line per field, each ending in "\\r\\n", then "\\r\\n".';

/** Fails unless the response starts with exactly `HTTP/1.1 <status> <phrase>\r\n`. */
function statusLine(status: number) {
  return (response: HttpResponse): void => {
    const expected = `HTTP/1.1 ${status} ${REASON_PHRASES[status]}\r\n`;
    const received = response.raw.subarray(0, response.raw.indexOf('\r\n') + 2);
    check(received.toString('latin1') === expected, {
      message: `Expected the status line ${quote(expected)}, received ${quote(received)}.`,
      expected,
      received,
      why: 'The status line is the version, a space, the three-digit code, a space and the reason phrase, then CRLF. Clients read the code; people read the phrase.',
      spec: 'RFC 9112 §4; RFC 9110 §15 (status codes and their phrases)',
      hint: 'Look the phrase up in REASON_PHRASES: `HTTP/1.1 ${status} ${REASON_PHRASES[status]}\\r\\n`.',
    });
  };
}

interface Extra {
  fields?: Record<string, string | RegExp | null>;
  body?: string | RegExp;
  check?: (response: HttpResponse) => void;
  close?: boolean;
  why?: string;
  spec?: string;
  hint?: string;
}

/** A case: one request, and the status (with its exact status line) and whatever else it must get. */
function get(name: string, spec: RequestSpec, status: number, extra: Extra = {}): HttpCase {
  const { fields, body, check: more, close, ...teaching } = extra;
  return {
    name,
    send: spec,
    hint: ONE_STRING,
    spec: WRITER,
    ...teaching,
    expect: {
      status,
      fields,
      close,
      body: typeof body === 'string' ? Buffer.from(body) : body,
      check: (response) => {
        statusLine(status)(response);
        more?.(response);
      },
    },
  };
}

const allowListsGetAndHead = (method: string) => (response: HttpResponse) => {
  const allowed = (response.header('allow') ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  check(allowed.includes('GET') && allowed.includes('HEAD') && !allowed.includes(method), {
    message: `Expected an Allow field listing GET and HEAD, received ${response.header('allow') === undefined ? 'no Allow field' : `"Allow: ${response.header('allow')}"`}.`,
    why: 'A 405 says the resource exists but not for this method; Allow says which methods would work. A server MUST send it with 405.',
    spec: 'RFC 9110 §15.5.6, §10.2.1',
    hint: 'Collect the methods of the routes on this path (GET implies HEAD) and send them as "Allow: GET, HEAD".',
  });
};

const IMF = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const UNKNOWN = 'RFC 9110 §9.1 (a method the server does not implement: 501 Not Implemented)';

httpCases(test, [
  get('answers GET / with a status line, header fields, an empty line and the body', { target: '/' }, 200, {
    fields: { 'Content-Length': String(Buffer.byteLength(HELLO)) },
    body: HELLO,
    why: 'The client reads exactly Content-Length bytes of body after the head; without it (and without closing) it cannot tell where the body ends.',
  }),
  get('counts Content-Length in bytes, not characters, for a UTF-8 body', { target: '/greeting' }, 200, {
    fields: { 'Content-Length': String(Buffer.byteLength(GREETING)) },
    body: GREETING,
    why: `The greeting is ${[...GREETING].length} characters but ${Buffer.byteLength(GREETING)} bytes in UTF-8 ("ü" takes 2, "你" 3, "👋" 4). String.length counts UTF-16 units (${GREETING.length} here), which is neither.`,
    spec: 'RFC 9110 §8.6 (Content-Length is a number of octets)',
    hint: 'Turn the body into a Buffer first (Buffer.from(text, "utf8")) and use its length.',
  }),
  ...(
    [
      ['/', HELLO],
      ['/greeting', GREETING],
    ] as const
  ).map(([target, body]) => ({
    name: `answers HEAD ${target} with the head GET would get, and no body`,
    send: { method: 'HEAD', target },
    why: `HEAD asks for what GET would answer, minus the body: a GET route answers HEAD too, with the same fields, Content-Length included (it tells the length the body would have, ${Buffer.byteLength(body)} bytes). Bytes after the head would be read as the start of the next response.`,
    spec: 'RFC 9110 §9.3.2, §8.6; RFC 9112 §6.3',
    hint: 'In the router, let a GET route match HEAD; in the writer, compute the head exactly as for GET and leave out only the body.',
    expect: { status: 200, fields: { 'Content-Length': String(Buffer.byteLength(body)), 'Content-Type': 'text/plain; charset=utf-8' }, close: true },
  })),
  get('answers an unknown path with 404 and a body that says so', { target: '/no/such/page' }, 404, {
    body: /\S/,
    why: 'A person who opens the URL in a browser sees the body; an empty page explains nothing.',
    hint: 'Return text(404, "…\\n") from the not-found route.',
  }),
  ...(
    [
      ['POST', '/'],
      ['DELETE', '/greeting'],
    ] as const
  ).map(([method, target]) =>
    get(
      `answers ${method} ${target}, a known path with a method it does not take, with 405 and Allow`,
      { method, target, body: method === 'POST' ? '' : undefined },
      405,
      {
        check: allowListsGetAndHead(method),
        spec: 'RFC 9110 §15.5.6',
        hint: 'Collect the methods of the routes on this path (GET implies HEAD) and send them as "Allow: GET, HEAD".',
      },
    ),
  ),
  get('answers PUT on /inspect, a route that takes any method, with 200', { method: 'PUT', target: '/inspect', body: 'x' }, 200, {
    why: 'The /inspect route takes any method (`*`).',
    hint: 'A route with method "*" matches every method.',
  }),
  ...(
    [
      ['FOO', '/', 'an unknown method on a known path'],
      ['FOO', '/nowhere', 'an unknown method on an unknown path (501, not 404)'],
      ['get', '/', 'a lower-case "get": methods are case-sensitive'],
      ['CONNECT', 'example.test:443', 'CONNECT, which this server (no proxy) does not implement'],
    ] as const
  ).map(([method, target, what]) =>
    get(`answers ${what} with 501`, { method, target }, 501, {
      why: `A method the server does not implement is answered 501 Not Implemented wherever it is sent: the fault is the method, not the path (404) or the resource (405). Methods are case-sensitive tokens, so "get" is not GET.`,
      spec: UNKNOWN,
      hint: 'First thing in match(): if METHODS does not include the method exactly (no toUpperCase()), return a route that answers 501.',
    }),
  ),
  get('answers PATCH /, a method it implements but not on this path, with 405', { method: 'PATCH', target: '/', body: '' }, 405, {
    check: allowListsGetAndHead('PATCH'),
    why: 'PATCH is a method this server implements (METHODS), just not on this path: 405, not 501.',
    spec: 'RFC 9110 §15.5.6; RFC 5789',
  }),
  get('sends a Date field with the current time as an IMF-fixdate', { target: '/' }, 200, {
    fields: { Date: IMF },
    check: (response) => {
      const date = response.header('date')!;
      const skew = Math.abs(Date.parse(date) - Date.now());
      check(skew < 60_000, {
        message: `Expected the Date field to be the current time, received "${date}", ${Math.round(skew / 1000)} s away from now.`,
        why: 'Date is when the response was generated.',
        hint: 'Compute it for each response (new Date()), not once at start-up, and in UTC.',
      });
    },
    why: 'An origin server with a clock MUST send Date, as an IMF-fixdate: caches compare it with their own clocks.',
    spec: 'RFC 9110 §6.6.1 (Date), §5.6.7 (IMF-fixdate)',
    hint: 'new Date().toUTCString() is an IMF-fixdate.',
  }),
  get('routes by path: a query string changes nothing', { target: '/greeting?lang=de&x=1' }, 200, {
    body: GREETING,
    why: 'The route is chosen by the path; "?lang=de" is the query, for the handler to read.',
    spec: 'RFC 9112 §3.2.1; RFC 3986 §3.4',
    hint: 'Cut the target at the first "?" before comparing it with the routes.',
  }),
  get('routes an absolute-form target by its path', { target: 'http://example.test/greeting', host: 'example.test' }, 200, {
    body: GREETING,
    why: 'A request-target can be an absolute URI (proxies send them), and a server MUST accept it: its path is what follows the authority.',
    spec: 'RFC 9112 §3.2.2',
    hint: 'For a target starting with http://, take new URL(target).pathname.',
  }),
  get('says Connection: close, then closes', { target: '/' }, 200, {
    fields: { Connection: /(^|,)\s*close\s*(,|$)/i },
    close: true,
    why: 'This server closes the connection after each response. HTTP/1.1 connections stay open unless a side says otherwise, so it says so: then the client knows not to send another request on it.',
    spec: 'RFC 9112 §9.6',
    hint: 'When options.connection is set, add a "Connection" field with its value.',
  }),
  get(
    'still shows every header field in order on /inspect, as http-request-head did',
    {
      target: '/inspect?from=5',
      host: 'example.test',
      headers: [
        ['x-dup', 'one'],
        ['X-Dup', 'two'],
      ],
    },
    200,
    {
      check: (response) => {
        const parsed = JSON.parse(response.body.toString('utf8')) as { target: string; headers: Array<{ name: string; value: string }> };
        const dups = parsed.headers.filter((f) => f.name.toLowerCase() === 'x-dup').map((f) => f.value);
        check(parsed.target === '/inspect?from=5' && dups.join() === 'one,two', {
          message: `Expected /inspect to show the target "/inspect?from=5" and both X-Dup fields in order, received target ${JSON.stringify(parsed.target)} and X-Dup ${JSON.stringify(dups)}.`,
          hint: 'http-request-head is where the parser lives: run its checks (npx learn check http-request-head).',
        });
      },
    },
  ),
  ...(
    [
      [Buffer.from(WIRE_MALFORMED[0]!.head, 'latin1'), 400, WIRE_MALFORMED[0]!.what],
      [Buffer.from(BAD_TARGETS[2]!.head, 'latin1'), 400, BAD_TARGETS[2]!.what],
      [Buffer.from(`GET / HTTP/2.0\r\nHost: example.test\r\n\r\n`, 'latin1'), 505, 'version HTTP/2.0'],
      [headOfSize(MAX_HEAD + 1, '/too-big'), 431, 'a head of 8193 bytes'],
    ] as const
  ).map(([bytes, status, what]) => ({
    name: `still answers ${what} with ${status} (http-request-head), written by the writer`,
    send: bytes,
    why: 'The parser of http-request-head still refuses it; the writer now writes the error response, and the server closes.',
    hint: 'http-request-head is where the parser lives: run its checks (npx learn check http-request-head).',
    expect: { status, close: true, check: statusLine(status) },
  })),
]);

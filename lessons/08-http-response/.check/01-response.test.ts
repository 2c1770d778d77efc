// Hidden tests for http-response: the bytes of responses (status line, CRLFs,
// Content-Length, Date, HEAD) and the router's 200, 404 and 405. Most basic first.

import {
  serverTest,
  importLessonModule,
  check,
  quote,
  request,
  exchange,
  checkStatus,
  checkHeader,
  expectClosedAfter,
  readResponse,
  recordReads,
  REASON_PHRASES,
  type Server,
  type HttpResponse,
  type RequestSpec,
} from '#harness/testing/index.ts';
import { WIRE_MALFORMED, headOfSize, MAX_HEAD } from '../../07-http-request-head/.check/cases.ts';

const test = serverTest('http-response');

const HELLO = 'Hello, world!\n';
const GREETING = 'Grüße aus Köln — 你好, 世界 👋\n';
const WRITER = 'RFC 9112 §4 (status line), §5 (field lines); RFC 9110 §8.6 (Content-Length)';

/** One request on a new connection (the server closes after each response). */
async function ask(server: Server, spec: RequestSpec, options: { why?: string; hint?: string; spec?: string } = {}): Promise<HttpResponse> {
  const client = await server.connect();
  return exchange(client, request(spec), { method: spec.method, why: options.why, spec: options.spec, hint: options.hint ?? 'Build the head as one string: status line, one "Name: value" line per field, each ending in "\\r\\n", then "\\r\\n".' });
}

function checkStatusLine(response: HttpResponse, status: number): void {
  if (response.status === 501 && response.body.includes('not written yet')) {
    checkStatus(response, status, { hint: 'The body of the 501 names the function that is not written yet.' });
  }
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
}

function checkBody(response: HttpResponse, body: string, what: string): void {
  check(response.body.equals(Buffer.from(body)), {
    message: `Expected the body ${quote(body)} for ${what}, received ${quote(response.body)}.`,
    expected: body,
    received: response.body,
    hint: 'Write the body right after the empty line that ends the head.',
  });
}

test('answers GET / with a status line, header fields, an empty line and the body', async ({ server }) => {
  const response = await ask(server, { target: '/' });
  checkStatusLine(response, 200);
  checkHeader(response, 'Content-Length', String(Buffer.byteLength(HELLO)), {
    why: 'The client reads exactly Content-Length bytes of body after the head; without it (and without closing) it cannot tell where the body ends.',
    spec: 'RFC 9110 §8.6; RFC 9112 §6.3',
    hint: 'Add a Content-Length field with the length of the body in bytes.',
  });
  checkBody(response, HELLO, 'GET /');
});

test('serializeHead and httpDate produce the exact bytes', async () => {
  const { serializeHead, httpDate } = await importLessonModule<{ serializeHead(status: number, fields: Array<[string, string]>): Buffer; httpDate(now?: Date): string }>('http-response', 'response.ts', ['serializeHead', 'httpDate']);
  const head = Buffer.from(serializeHead(404, [['Content-Type', 'text/plain'], ['Content-Length', '12']]));
  const expected = 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n';
  check(head.toString('latin1') === expected, {
    message: `Expected serializeHead(404, [Content-Type, Content-Length]) to return ${quote(expected)}, received ${quote(head)}.`,
    expected,
    received: head,
    why: 'Every line of the head ends with CR LF, and an empty line (one more CR LF) ends the head.',
    spec: 'RFC 9112 §2.1, §4, §5',
  });
  const date = httpDate(new Date(Date.UTC(1994, 10, 6, 8, 49, 37)));
  check(date === 'Sun, 06 Nov 1994 08:49:37 GMT', {
    message: `Expected httpDate(6 November 1994, 08:49:37 UTC) to return "Sun, 06 Nov 1994 08:49:37 GMT", received ${JSON.stringify(date)}.`,
    why: 'HTTP dates are IMF-fixdate: English day and month abbreviations, two-digit day, 24-hour time, always GMT.',
    spec: 'RFC 9110 §5.6.7',
    hint: 'Date.prototype.toUTCString() produces exactly this format.',
  });
});

test('counts Content-Length in bytes, not characters, for a UTF-8 body', async ({ server }) => {
  const response = await ask(server, { target: '/greeting' });
  checkStatusLine(response, 200);
  const bytes = Buffer.byteLength(GREETING);
  checkHeader(response, 'Content-Length', String(bytes), {
    why: `The greeting is ${[...GREETING].length} characters but ${bytes} bytes in UTF-8 ("ü" takes 2, "你" 3, "👋" 4). String.length counts UTF-16 units (${GREETING.length} here), which is neither.`,
    spec: 'RFC 9110 §8.6 (Content-Length is a number of octets)',
    hint: 'Turn the body into a Buffer first (Buffer.from(text, "utf8")) and use its length.',
  });
  checkBody(response, GREETING, 'GET /greeting');
});

test('answers HEAD with the head GET would get, and no body', async ({ server }) => {
  for (const target of ['/', '/greeting']) {
    const get = await ask(server, { target });
    const client = await server.connect();
    const head = await exchange(client, request({ method: 'HEAD', target }), { method: 'HEAD', hint: 'Route HEAD like GET; the writer then sends the head only.' });
    checkStatus(head, 200, { why: 'HEAD asks for what GET would answer, minus the body: a GET route answers HEAD too.', spec: 'RFC 9110 §9.3.2', hint: 'In the router, let a GET route match a HEAD request.' });
    for (const name of ['Content-Length', 'Content-Type']) {
      checkHeader(head, name, get.header(name) ?? '', {
        why: `A response to HEAD carries the same header fields as the response to GET, Content-Length included: it tells the length the body would have (${get.header('content-length')} bytes).`,
        spec: 'RFC 9110 §9.3.2, §8.6',
        hint: 'Compute the head exactly as for GET; leave out only the body.',
      });
    }
    await expectClosedAfter(client, `the head of the response to HEAD ${target}`, {
      why: 'A response to HEAD has no body, whatever its Content-Length says; bytes after its head would be read as the start of the next response.',
      spec: 'RFC 9110 §9.3.2; RFC 9112 §6.3',
      hint: 'When writing the answer to HEAD, write the head and stop.',
    });
  }
});

test('answers an unknown path with 404 and a body that says so', async ({ server }) => {
  const response = await ask(server, { target: '/no/such/page' });
  checkStatusLine(response, 404);
  check(response.body.length > 0, {
    message: 'Expected a 404 response with a body explaining it, received an empty body.',
    why: 'A person who opens the URL in a browser sees the body; an empty page explains nothing.',
    hint: 'Return text(404, "…\\n") from the not-found route.',
  });
});

test('answers a known path with a method it does not take with 405 and Allow', async ({ server }) => {
  for (const [method, target] of [['POST', '/'], ['DELETE', '/greeting']] as const) {
    const response = await ask(server, { method, target, body: method === 'POST' ? '' : undefined }, { spec: 'RFC 9110 §15.5.6' });
    checkStatusLine(response, 405);
    const allowed = (response.header('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean);
    check(allowed.includes('GET') && allowed.includes('HEAD') && !allowed.includes(method), {
      message: `Expected an Allow field listing GET and HEAD for ${method} ${target}, received ${response.header('allow') === undefined ? 'no Allow field' : `"Allow: ${response.header('allow')}"`}.`,
      why: 'A 405 says the resource exists but not for this method; Allow says which methods would work. A server MUST send it with 405.',
      spec: 'RFC 9110 §15.5.6, §10.2.1',
      hint: 'Collect the methods of the routes on this path (GET implies HEAD) and send them as "Allow: GET, HEAD".',
    });
  }
  const any = await ask(server, { method: 'PUT', target: '/inspect', body: 'x' });
  checkStatus(any, 200, { why: 'The /inspect route takes any method (`*`).', hint: 'A route with method "*" matches every method.' });
});

test('sends a Date field with the current time as an IMF-fixdate', async ({ server }) => {
  const response = await ask(server, { target: '/' });
  const date = response.header('date');
  const imf = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
  check(date !== undefined && imf.test(date), {
    message: `Expected a Date field like "Date: Sun, 06 Nov 1994 08:49:37 GMT", received ${date === undefined ? 'no Date field' : `"Date: ${date}"`}.`,
    why: 'An origin server with a clock MUST send Date, as an IMF-fixdate: caches compare it with their own clocks.',
    spec: 'RFC 9110 §6.6.1 (Date), §5.6.7 (IMF-fixdate)',
    hint: 'new Date().toUTCString() is an IMF-fixdate.',
  });
  const skew = Math.abs(Date.parse(date) - Date.now());
  check(skew < 60_000, {
    message: `Expected the Date field to be the current time, received "${date}", ${Math.round(skew / 1000)} s away from now.`,
    why: 'Date is when the response was generated.',
    hint: 'Compute it for each response (new Date()), not once at start-up, and in UTC.',
  });
});

test('sends the status line and header fields in one write', async ({ server }) => {
  // Several responses. A head written in one write always arrives in one read on loopback; a head
  // written line by line usually arrives in pieces, but a busy client may read them all at once,
  // so this check catches that mistake often, not always (it is not in .check/mistakes).
  for (const [target, status] of [['/', 200], ['/greeting', 200], ['/nowhere', 404], ['/inspect', 200], ['/', 200], ['/greeting', 200], ['/nowhere', 404], ['/inspect', 200]] as const) {
    const client = await server.connect();
    const reads = recordReads(client);
    await client.send(request({ target }));
    const response = await readResponse(client);
    checkStatusLine(response, status);
    check(reads[0] !== undefined && reads[0] >= response.raw.length, {
      message: `Expected the head of the response to ${target} (${response.raw.length} bytes) to arrive in one piece, received it in reads of ${reads.join(', ')} bytes.`,
      why: "Each small write can go out as a packet of its own. With Nagle's algorithm on (Node's default), a small write waits until the previous packet is acknowledged, and the client may delay that ACK by up to 40 ms: a head written line by line can take that long to arrive.",
      spec: "RFC 9293 §3.7.4 (Nagle's algorithm); Node docs: socket.setNoDelay()",
      hint: 'Build the whole head into one string or Buffer, then write it once (with the body, when it is small).',
    });
  }
});

test('routes by path: a query string or an absolute-form target changes nothing', async ({ server }) => {
  const query = await ask(server, { target: '/greeting?lang=de&x=1' }, { why: 'The query (after "?") is not part of the path.' });
  checkStatus(query, 200, { why: 'The route is chosen by the path; "?lang=de" is the query, for the handler to read.', spec: 'RFC 9112 §3.2.1; RFC 3986 §3.4', hint: 'Cut the target at the first "?" before comparing it with the routes.' });
  checkBody(query, GREETING, 'GET /greeting?lang=de&x=1');
  const absolute = await ask(server, { target: 'http://example.test/greeting', host: 'example.test' });
  checkStatus(absolute, 200, { why: 'A request-target can be an absolute URI (proxies send them), and a server MUST accept it: its path is what follows the authority.', spec: 'RFC 9112 §3.2.2', hint: 'For a target starting with http://, take new URL(target).pathname.' });
  checkBody(absolute, GREETING, 'GET http://example.test/greeting');
});

test('says Connection: close, then closes', async ({ server }) => {
  const client = await server.connect();
  const response = await exchange(client, request({ target: '/' }));
  checkStatusLine(response, 200);
  check(response.hasToken('connection', 'close'), {
    message: `Expected "Connection: close" in the response, received ${response.header('connection') === undefined ? 'no Connection field' : `"Connection: ${response.header('connection')}"`}.`,
    why: 'This server closes the connection after each response. HTTP/1.1 connections stay open unless a side says otherwise, so it says so: then the client knows not to send another request on it.',
    spec: 'RFC 9112 §9.6',
    hint: 'When options.connection is set, add a "Connection" field with its value.',
  });
  await expectClosedAfter(client, 'the response');
});

test('still parses requests as http-request-head does, and answers their errors with the writer', async ({ server }) => {
  const inspect = await ask(server, { target: '/inspect?from=5', host: 'example.test', headers: [['x-dup', 'one'], ['X-Dup', 'two']] });
  checkStatus(inspect, 200, { why: '/inspect answers with the parse of the request head, as http-request-head\'s server did.' });
  const parsed = JSON.parse(inspect.body.toString('utf8')) as { target: string; headers: Array<{ name: string; value: string }> };
  const dups = parsed.headers.filter((f) => f.name.toLowerCase() === 'x-dup').map((f) => f.value);
  check(parsed.target === '/inspect?from=5' && dups.join() === 'one,two', {
    message: `Expected /inspect to show the target "/inspect?from=5" and both X-Dup fields in order, received target ${JSON.stringify(parsed.target)} and X-Dup ${JSON.stringify(dups)}.`,
    hint: 'http-request-head is where the parser lives: run its checks (npx learn check http-request-head).',
  });
  const cases: Array<[Buffer, number]> = [
    [Buffer.from(WIRE_MALFORMED[0]!.head, 'latin1'), 400],
    [Buffer.from(`GET / HTTP/2.0\r\nHost: example.test\r\n\r\n`, 'latin1'), 505],
    [headOfSize(MAX_HEAD + 1, '/too-big'), 431],
  ];
  for (const [bytes, status] of cases) {
    const client = await server.connect();
    const response = await exchange(client, bytes);
    checkStatusLine(response, status);
    await expectClosedAfter(client, `the ${status} response`);
  }
});

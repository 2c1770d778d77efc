// Hidden tests for http-request-head. The server answers every good request with a JSON
// description of what it parsed, so the parse shows through the wire; the parser's export is also
// called directly. Most basic first: the first failure is the one to fix.

import type net from 'node:net';
import {
  serverTest,
  pairTest,
  importLessonModule,
  check,
  quote,
  request,
  exchange,
  checkStatus,
  expectClosedAfter,
  httpCases,
  within,
  LessonFailure,
  type HttpCase,
  type Server,
  type HttpResponse,
} from '#harness/testing/index.ts';
import { MALFORMED, WIRE_MALFORMED, WRONG_VERSION, MAX_HEAD, headOfSize, type BadHead } from './cases.ts';

const test = serverTest('http-request-head');

interface Field {
  name: string;
  value: string;
}
interface Parsed {
  method: string;
  target: string;
  version: string;
  headers: Field[];
}
interface RequestHeadModule {
  parseRequestHead(head: Buffer): Parsed;
  readRequestHead(reader: unknown): Promise<Parsed | undefined>;
}
interface ReaderModule {
  BufferedReader: new (conn: unknown) => { buffer: Buffer; consume(n: number): Buffer };
}

const loadParser = () => importLessonModule<RequestHeadModule>('http-request-head', 'request-head.ts', ['parseRequestHead', 'readRequestHead']);

const GRAMMAR = 'RFC 9112 §3 (request line), §5 (field lines)';

/** Sends a head on a new connection and returns what the server says it parsed. */
async function parsedBy(server: Server, head: Buffer | string, options: { split?: 'whole' | 'trickle' | 'random' | number[]; hint?: string; why?: string } = {}): Promise<{ parsed: Parsed; response: HttpResponse }> {
  const client = await server.connect();
  const response = await exchange(client, head, { split: options.split, why: options.why, hint: options.hint ?? 'Read until the empty line (CRLF CRLF), then parse; the server answers with what you return.' });
  checkStatus(response, 200, {
    why: options.why ?? 'This request is well-formed, so the server answers 200 with what it parsed. The body above says what your parser objected to.',
    spec: GRAMMAR,
    hint: response.status === 501 ? 'The body names the function that is not written yet.' : 'Compare the request bytes in the transcript with the rule named in the body.',
  });
  let parsed: Parsed;
  try {
    parsed = JSON.parse(response.body.toString('utf8')) as Parsed;
  } catch {
    throw new LessonFailure({ message: `Expected the 200 response's body to be the JSON description of the request, received ${quote(response.body.subarray(0, 80))}.`, hint: 'Keep server.ts as it is: it turns what readRequestHead returns into JSON.' });
  }
  return { parsed, response };
}

function showFields(fields: Array<[string, string]>): string {
  return `[${fields.map(([n, v]) => `${n}: ${JSON.stringify(v)}`).join(', ')}]`;
}

/** Compares a parse with what the request said. Names compare case-insensitively; values exactly. */
function checkParsed(parsed: Parsed, want: { method: string; target: string; version: string; headers: Array<[string, string]> }, source: string): void {
  for (const part of ['method', 'target', 'version'] as const) {
    check(parsed[part] === want[part], {
      message: `Expected the ${part} ${JSON.stringify(want[part])}, received ${JSON.stringify(parsed[part])} (${source}).`,
      why: 'The request line is three parts separated by single spaces: method, request-target, HTTP-version.',
      spec: 'RFC 9112 §3',
    });
  }
  const got: Array<[string, string]> = Array.isArray(parsed.headers) ? parsed.headers.map((f) => [String(f.name), String(f.value)]) : [];
  const same = got.length === want.headers.length && got.every(([n, v], i) => n.toLowerCase() === want.headers[i]![0].toLowerCase() && v === want.headers[i]![1]);
  check(same, {
    message: `Expected the header fields ${showFields(want.headers)}, received ${showFields(got)} (${source}).`,
    why: 'Each field line is name ":" value; the value loses the spaces and tabs around it and keeps everything else (more colons included). Every line is kept, in order, repeated names too.',
    spec: 'RFC 9112 §5; RFC 9110 §5.2–5.3 (repeated fields)',
    hint: 'Split each line at its first colon only; trim spaces and tabs; push every field onto a list rather than into an object keyed by name.',
  });
}

/** What parseRequestHead did with `head`: returned a parse, or threw (with a status, if an HttpError). */
function attempt(parse: RequestHeadModule['parseRequestHead'], head: string): { parsed?: Parsed; status?: number; error?: string } {
  try {
    return { parsed: parse(Buffer.from(head, 'latin1')) };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return { status: typeof status === 'number' ? status : undefined, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const SIMPLE = request({ target: '/hello?name=web', host: 'example.test', headers: [['User-Agent', 'check/1.0'], ['Accept', '*/*']] });
const SIMPLE_PARSE = { method: 'GET', target: '/hello?name=web', version: 'HTTP/1.1', headers: [['Host', 'example.test'], ['User-Agent', 'check/1.0'], ['Accept', '*/*']] as Array<[string, string]> };

test('answers a GET with 200 and what it parsed, without waiting for more bytes', async ({ server }) => {
  const { parsed } = await parsedBy(server, SIMPLE, {
    why: 'A request without Content-Length has no body: the empty line ends it. The client sends nothing more and waits for the answer, keeping the connection open.',
    hint: 'Read until the empty line (CRLF CRLF) and parse then; do not wait for the client to close or for more bytes.',
  });
  checkParsed(parsed, SIMPLE_PARSE, 'a simple GET');
});

test('parseRequestHead returns the request line and every header field, in order', async () => {
  const { parseRequestHead } = await loadParser();
  const head = 'POST /api/items?sort=name HTTP/1.1\r\nHost: example.test:8080\r\nContent-Type: text/plain\r\nX-Time: 12:30:45\r\n\r\n';
  const result = attempt(parseRequestHead, head);
  check(result.parsed, {
    message: `Expected parseRequestHead(${quote(head)}) to return the parse, but it threw ${result.error}.`,
    hint: 'Split the head into lines at CRLF; the first is the request line, the rest up to the empty line are field lines.',
  });
  checkParsed(result.parsed, { method: 'POST', target: '/api/items?sort=name', version: 'HTTP/1.1', headers: [['Host', 'example.test:8080'], ['Content-Type', 'text/plain'], ['X-Time', '12:30:45']] }, `parseRequestHead(${quote(head)})`);
});

test('parseRequestHead trims spaces and tabs around values and keeps repeated fields in order', async () => {
  const { parseRequestHead } = await loadParser();
  const head = 'GET / HTTP/1.1\r\nhOsT:example.test\r\nX-Spaces:    inner  spaces stay   \r\nX-Tabs:\tvalue\t\r\nX-Empty:\r\nX-Dup: one\r\nx-dup: two\r\nX-DUP: three\r\n\r\n';
  const result = attempt(parseRequestHead, head);
  check(result.parsed, {
    message: `Expected parseRequestHead(${quote(head)}) to return the parse, but it threw ${result.error}.`,
    why: 'Field names are case-insensitive ("hOsT" is the Host field); spaces after the colon are optional, and a value may be empty.',
    spec: 'RFC 9110 §5.1; RFC 9112 §5',
    hint: 'Compare names with toLowerCase(), and do not require a space after the colon.',
  });
  checkParsed(
    result.parsed,
    { method: 'GET', target: '/', version: 'HTTP/1.1', headers: [['hOsT', 'example.test'], ['X-Spaces', 'inner  spaces stay'], ['X-Tabs', 'value'], ['X-Empty', ''], ['X-Dup', 'one'], ['x-dup', 'two'], ['X-DUP', 'three']] },
    `parseRequestHead(${quote(head)})`,
  );
});

test('parseRequestHead rejects a malformed head with HttpError 400, and other HTTP versions with 505', async () => {
  const { parseRequestHead } = await loadParser();
  const cases: BadHead[] = [...MALFORMED, ...WRONG_VERSION, { what: 'a bare LF inside a line', head: 'GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n', status: 400, spec: 'RFC 9112 §2.2; RFC 9110 §5.5' }];
  for (const bad of cases) {
    const result = attempt(parseRequestHead, bad.unitHead ?? bad.head);
    check(result.status === bad.status, {
      message: `Expected parseRequestHead to reject ${bad.what} with HttpError ${bad.status}, but it ${result.parsed ? `returned ${JSON.stringify(result.parsed)}` : `threw ${result.error}${result.status === undefined ? ' (no status)' : ''}`}. The head: ${quote(bad.unitHead ?? bad.head)}.`,
      why: bad.why,
      spec: bad.spec,
      hint: bad.hint ?? 'Throw new HttpError(400, reason) where the rule is broken; the server turns it into the response.',
    });
  }
});

// A real connection whose far end is the learner's reader, driven from here.
pairTest('readRequestHead leaves the bytes after the head in the reader for whoever reads next', async ({ pair }) => {
  const { readRequestHead } = await loadParser();
  const { BufferedReader } = await importLessonModule<ReaderModule>('http-request-head', 'reader.ts', ['BufferedReader']);
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
    hint: 'Consume only the head (reader.consume(end)); the buffer keeps buffer.subarray(end).',
  });
  reader.consume(4);
  const second = await within(readRequestHead(reader), 2000, 'a second readRequestHead(reader) to resolve', 'The second head is already in the buffer: look there before reading from the connection.');
  check(second?.target === '/second', { message: `Expected the second readRequestHead to return the head of GET /second, received ${JSON.stringify(second)}.`, hint });
  await peer.end();
  const none = await within(readRequestHead(reader), 2000, 'readRequestHead(reader) to resolve after the client closed', 'When fill() reports EOF and nothing is buffered, return undefined.');
  check(none === undefined, { message: `Expected readRequestHead to resolve with undefined once the client closed between requests, received ${JSON.stringify(none)}.`, hint: 'When fill() reports EOF and nothing is buffered, return undefined.' });
});

test('answers a head that arrives one byte at a time', async ({ server }) => {
  const head = request({ target: '/trickle', host: 'example.test', headers: [['X-Slow', 'one byte at a time']] });
  const { parsed } = await parsedBy(server, head, {
    split: 'trickle',
    why: "TCP keeps no message boundaries: the head can arrive in as many 'data' events as it has bytes.",
    hint: 'Keep reading and appending to the buffer until it holds CRLF CRLF; look for it in the whole buffer, not in the last chunk.',
  });
  checkParsed(parsed, { method: 'GET', target: '/trickle', version: 'HTTP/1.1', headers: [['Host', 'example.test'], ['X-Slow', 'one byte at a time']] }, 'a head sent one byte at a time');
});

test('answers a head cut right after every CR and every LF', async ({ server }) => {
  const head = request({ target: '/cut', host: 'example.test', headers: [['X-A', '1'], ['X-B', '2']] });
  // Cut after each \r and after each \n, so that every line end, and the empty line, straddle reads.
  const sizes: number[] = [];
  let last = 0;
  head.forEach((byte, i) => {
    if (byte === 0x0d || byte === 0x0a) {
      sizes.push(i + 1 - last);
      last = i + 1;
    }
  });
  const { parsed } = await parsedBy(server, head, {
    split: sizes,
    why: 'A read can end between the CR and the LF of a line end, or between the two CRLFs that end the head.',
    hint: 'Search for CRLF CRLF in everything buffered so far, after every read.',
  });
  checkParsed(parsed, { method: 'GET', target: '/cut', version: 'HTTP/1.1', headers: [['Host', 'example.test'], ['X-A', '1'], ['X-B', '2']] }, 'a head cut at every CR and LF');
  for (let i = 0; i < 3; i++) {
    const random = request({ target: `/random/${i}`, host: 'example.test', headers: [['X-Round', String(i)], ['Accept', 'text/html,application/json;q=0.9']] });
    const again = await parsedBy(server, random, { split: 'random', hint: 'Search the whole buffer after every read.' });
    checkParsed(again.parsed, { method: 'GET', target: `/random/${i}`, version: 'HTTP/1.1', headers: [['Host', 'example.test'], ['X-Round', String(i)], ['Accept', 'text/html,application/json;q=0.9']] }, 'a head cut at random points');
  }
});

test('reads header names in any case and values with any optional whitespace', async ({ server }) => {
  const head = 'GET /case HTTP/1.1\r\nhOsT:example.test\r\nx-lower: value\r\nX-UPPER:    spaced   out   \r\nX-Tab:\ttabbed\t\r\nX-Colons: a:b:c\r\nX-Dup: one\r\nx-dup: two\r\n\r\n';
  const { parsed } = await parsedBy(server, head, {
    why: '"hOsT" is the Host field: field names are case-insensitive, so this HTTP/1.1 request has its Host.',
    hint: 'Look fields up by name with a case-insensitive comparison (toLowerCase() on both sides).',
  });
  checkParsed(
    parsed,
    { method: 'GET', target: '/case', version: 'HTTP/1.1', headers: [['hOsT', 'example.test'], ['x-lower', 'value'], ['X-UPPER', 'spaced   out'], ['X-Tab', 'tabbed'], ['X-Colons', 'a:b:c'], ['X-Dup', 'one'], ['x-dup', 'two']] },
    'varied case and whitespace',
  );
});

// One test per malformed head, so the report names the rule that was broken.
httpCases(test, [...WIRE_MALFORMED, ...WRONG_VERSION].map(rejection));

test('answers lines that end in a bare LF with 400 (this server requires CRLF)', async ({ server }) => {
  await expectRejected(server, {
    what: 'a head whose lines end in LF alone',
    head: 'GET / HTTP/1.1\nHost: example.test\n\n',
    status: 400,
    why: 'RFC 9112 lets a server accept a bare LF as a line end, or not. This lesson does not: a line ends with CRLF, and a bare LF is answered with 400 as soon as it arrives, instead of waiting for a CRLF CRLF that never comes.',
    spec: 'RFC 9112 §2.2',
    hint: 'While looking for the end of the head, check that every LF has a CR before it.',
  });
});

test('accepts a head of exactly 8 KiB, arriving in pieces', async ({ server }) => {
  const head = headOfSize(MAX_HEAD, '/at-the-limit');
  const { parsed } = await parsedBy(server, head, {
    split: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 192],
    why: `The limit is ${MAX_HEAD} bytes, counted from the request line through the CRLF of the empty line: this head is exactly that long, so it is accepted.`,
    hint: 'Refuse only when the buffer holds more than 8192 bytes and no end of head within the first 8192.',
  });
  check(parsed.target === '/at-the-limit', { message: `Expected the target "/at-the-limit", received ${JSON.stringify(parsed.target)}.` });
});

test('answers a head over 8 KiB with 431, even before it ends', async ({ server }) => {
  await expectRejected(server, {
    what: `a head of ${MAX_HEAD + 1} bytes`,
    head: headOfSize(MAX_HEAD + 1, '/over-the-limit').toString('latin1'),
    status: 431,
    why: `The limit is ${MAX_HEAD} bytes, counted from the request line through the CRLF of the empty line; one byte more is too much.`,
    spec: 'RFC 6585 §5 (431 Request Header Fields Too Large)',
    hint: 'Compare the head length with 8192 including the final CRLF CRLF.',
  });
  const endless = Buffer.from(`GET /endless HTTP/1.1\r\nHost: example.test\r\n${'X-Filler: 0123456789abcdef0123456789abcdef\r\n'.repeat(250)}`, 'latin1');
  await expectRejected(server, {
    what: `a head that has sent ${endless.length} bytes and no empty line yet`,
    head: endless.toString('latin1'),
    status: 431,
    why: 'A client can send header lines forever. The server must stop buffering at the limit and answer, not wait for an empty line that may never come.',
    spec: 'RFC 6585 §5; RFC 9112 §2.3 (a server needs a limit on what it reads)',
    hint: 'After each read, if 8192 bytes or more are buffered without an end of head, throw new HttpError(431, …).',
  });
});

test('a client that connects and leaves without a request does not disturb the server', async ({ server }) => {
  const quiet = await server.connect('quiet');
  await quiet.end();
  await quiet.expectClose({
    why: 'A connection that ends before any byte of a request has nothing to answer: readRequestHead returns undefined and the server closes its side.',
    hint: 'When fill() reports EOF and the buffer is empty, return undefined.',
  });
  check((await quiet.readFor(0)).length === 0, { message: 'Expected no response to a connection that sent nothing, received one.', hint: 'Answer only requests that arrived.' });
  const half = await server.connect('half');
  await half.send('GET /half HTTP/1.1\r\nHost: ex');
  await half.end();
  await half.expectClose({ why: 'A head cut short by the close can never be completed.', hint: 'At EOF with a partial head in the buffer, throw an HttpError (400); do not wait for more.' });
  const { parsed } = await parsedBy(server, SIMPLE);
  checkParsed(parsed, SIMPLE_PARSE, 'a GET after the clients that left');
});

async function expectRejected(server: Server, bad: BadHead): Promise<void> {
  const client = await server.connect();
  const response = await exchange(client, Buffer.from(bad.head, 'latin1'), { why: bad.why, spec: bad.spec, hint: bad.hint, what: `a response to ${bad.what}` });
  checkStatus(response, bad.status, {
    why: `The request has ${bad.what}. ${bad.why ?? ''}`.trim(),
    spec: bad.spec,
    hint: bad.hint ?? 'Throw new HttpError(400, reason) where the rule is broken; the server answers it and closes.',
  });
  await expectClosedAfter(client, `the ${bad.status} response`, {
    why: 'After a request it cannot read, the server cannot know where the next one would start: it answers and closes.',
    spec: 'RFC 9112 §9.6',
  });
}


/** A malformed head as a case: the status, and the close that must follow it. */
function rejection(bad: BadHead): HttpCase {
  return {
    name: `answers ${bad.what} with ${bad.status} and closes`,
    send: Buffer.from(bad.head, 'latin1'),
    expect: { status: bad.status, close: true },
    why: `The request has ${bad.what}. ${bad.why ?? 'After a request it cannot read, the server cannot know where the next one would start: it answers and closes (RFC 9112 §9.6).'}`,
    spec: bad.spec,
    hint: bad.hint ?? 'Throw new HttpError(400, reason) where the rule is broken; the server answers it and closes.',
  };
}

// Hidden tests for http-request-head, part 2: heads the server must refuse, one case per rule, on
// parseRequestHead and on the wire; and clients that leave in the middle of a head.

import { serverTest, httpCases, check, checkResponse, checkStatus, quote, readResponse, request, type HttpCase } from '#harness/testing/index.ts';
import { BAD_TARGETS, MALFORMED, WIRE_MALFORMED, WRONG_VERSION, type BadHead } from './cases.ts';
import { attempt, loadParser } from './parse.ts';

const test = serverTest('http-request-head');

const CLOSE = 'After a request it cannot read, the server cannot know where the next one would start: it answers and closes (RFC 9112 §9.6).';

const UNIT: BadHead[] = [
  ...MALFORMED,
  ...BAD_TARGETS,
  ...WRONG_VERSION,
  { what: 'a bare LF inside a line', head: 'GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n', status: 400, spec: 'RFC 9112 §2.2; RFC 9110 §5.5' },
];

// One test per malformed head, so the report names the rule that was broken.
test.for(UNIT.map((bad) => [`parseRequestHead rejects ${bad.what} with HttpError ${bad.status}`, bad] as const))('%s', async ([, bad]) => {
  const { parseRequestHead } = await loadParser();
  const head = bad.unitHead ?? bad.head;
  const result = attempt(parseRequestHead, head);
  check(result.status === bad.status, {
    message: `Expected parseRequestHead to reject ${bad.what} with HttpError ${bad.status}, but it ${result.parsed ? `returned ${JSON.stringify(result.parsed)}` : `threw ${result.error}${result.status === undefined ? ' (no status)' : ''}`}. The head: ${quote(head)}.`,
    why: bad.why,
    spec: bad.spec,
    hint: bad.hint ?? 'Throw new HttpError(400, reason) where the rule is broken; the server turns it into the response.',
  });
});

/** A malformed head as a case: the status, and the close that must follow it. */
function rejection(bad: BadHead): HttpCase {
  return {
    name: `answers ${bad.what} with ${bad.status} and closes`,
    send: Buffer.from(bad.head, 'latin1'),
    expect: { status: bad.status, close: true },
    why: `The request has ${bad.what}. ${bad.why ?? CLOSE}`,
    spec: bad.spec,
    hint: bad.hint ?? 'Throw new HttpError(400, reason) where the rule is broken; the server answers it and closes.',
  };
}

httpCases(test, [
  ...[...WIRE_MALFORMED, ...BAD_TARGETS, ...WRONG_VERSION].map(rejection),
  rejection({
    what: 'lines that end in a bare LF (this server requires CRLF)',
    head: 'GET / HTTP/1.1\nHost: example.test\n\n',
    status: 400,
    why: 'RFC 9112 lets a server accept a bare LF as a line end, or not. This lesson does not: a line ends with CRLF, and a bare LF is answered with 400 as soon as it arrives, instead of waiting for a CRLF CRLF that never comes.',
    spec: 'RFC 9112 §2.2',
    hint: 'While looking for the end of the head, check that every LF has a CR before it.',
  }),
  {
    ...rejection({
      what: 'a CR followed by something other than LF, arriving in its own write',
      head: 'GET / HTTP/1.1\r\nHost: example.test\rX-A: 1\r\n\r\n',
      status: 400,
      why: 'A CR is only allowed as the first half of CRLF. The CR arrives as the last byte of one read and the byte after it in the next, so it can be judged only once that byte is there.',
      spec: 'RFC 9112 §2.2',
      hint: 'Judge a CR by the byte after it when that byte arrives: do not accept it, and do not refuse it, while it is the last byte buffered.',
    }),
    split: [35, 1000],
  },
]);

test("answers a head cut short by the client's FIN with 400 and closes", async ({ server }) => {
  const client = await server.connect('half');
  await client.send('GET /half HTTP/1.1\r\nHost: ex');
  await client.end();
  const response = await readResponse(client, {
    what: 'the response to a head cut short by FIN',
    why: 'The client half-closed (FIN) in the middle of a head: it will never be finished. The bytes that came are a malformed request, answered with 400; the client still reads.',
    spec: 'RFC 9112 §8 (incomplete messages); RFC 9293 §3.6 (half-close)',
    hint: 'At EOF with part of a head in the buffer, throw new HttpError(400, …); return undefined only when nothing is buffered.',
  });
  await checkResponse(client, response, { status: 400, close: true }, 'the response to a head cut short by FIN', {
    why: 'Part of a head, then the end of the stream: a 400, not silence and not undefined (which means "no request at all").',
    hint: 'At EOF with part of a head in the buffer, throw new HttpError(400, …).',
  });
});

test('a client that connects and leaves without a request gets nothing, and the server goes on', async ({ server }) => {
  const quiet = await server.connect('quiet');
  await quiet.end();
  await quiet.expectClose({
    why: 'A connection that ends before any byte of a request has nothing to answer: readRequestHead returns undefined and the server closes its side.',
    hint: 'When fill() reports EOF and the buffer is empty, return undefined.',
  });
  check((await quiet.readFor(0)).length === 0, {
    message: 'Expected no response to a connection that sent nothing, received one.',
    hint: 'Answer only requests that arrived.',
  });
  const reset = await server.connect('reset');
  await reset.send('GET /reset HTTP/1.1\r\nHost: ex');
  await reset.readFor(20);
  reset.reset();
  const next = await server.connect('next');
  await next.send(request({ target: '/after' }));
  checkStatus(await readResponse(next, { what: 'the response to a request after a client reset mid-head' }), 200, {
    why: 'A client that resets (RST) in the middle of a head ends that connection, not the server: the read fails with ECONNRESET, the server drops the connection and serves the others.',
    hint: 'Let the read error end this connection only (server.ts catches it); do not catch it in fill() and loop.',
  });
});

// Hidden tests for keep-alive: many requests on one connection, pipelined ones in order,
// unread bodies drained, Connection: close and HTTP/1.0 honoured, errors closing the connection,
// many connections at once. The idle timeout is checked in 02-idle.test.ts.

import {
  serverTest,
  check,
  request,
  exchange,
  checkStatus,
  expectClosedAfter,
  expectStillOpen,
  readResponse,
  checkNoLeakedSockets,
  type HttpResponse,
} from '#harness/testing/index.ts';
import { WIRE_MALFORMED } from '../../07-http-request-head/.check/cases.ts';
import { echo, greeting, headOf, hello, inspect, runInTurn, runPipelined, slow, unreadBody, type Step } from './steps.ts';

const test = serverTest('keep-alive');

const PERSIST = 'RFC 9112 §9.3 (persistence)';

function checkNotClosing(response: HttpResponse, label: string): void {
  check(!response.hasToken('connection', 'close'), {
    message: `Expected ${label} to keep the connection open, but it says "Connection: ${response.header('connection')}".`,
    why: 'An HTTP/1.1 connection stays open after a response unless the client or the server asks to close it; the request did not.',
    spec: PERSIST,
    hint: 'Decide per request (wantsKeepAlive) and send Connection: close only when closing.',
  });
}

test('answers two requests, one after the other, on one connection', async ({ server }) => {
  const client = await server.connect();
  const [first] = await runInTurn(client, [hello()]);
  checkNotClosing(first!, 'the response to the first request');
  await runInTurn(client, [greeting()], 2);
});

test('answers 100 requests, one after another, on one connection', async ({ server }) => {
  const client = await server.connect();
  const steps: Step[] = [];
  for (let i = 0; i < 100; i++) {
    const kinds = [hello(), greeting(), inspect(i), echo(`body of request ${i + 1}`), headOf('/greeting')];
    steps.push(kinds[i % kinds.length]!);
  }
  await runInTurn(client, steps);
  await expectStillOpen(client, 'the 100th response', 50, { why: 'Nothing asked to close the connection.', spec: PERSIST });
});

test('answers a GET with a body, framed by its Content-Length, and then the next request', async ({ server }) => {
  const client = await server.connect();
  await runPipelined(client, [inspect(1, { body: 'a body on a GET' }), hello(), inspect(2)]);
});

test('answers 16 pipelined requests, sent in one write, in order', async ({ server }) => {
  const client = await server.connect();
  const steps: Step[] = [
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
    hello(),
  ];
  await runPipelined(client, steps);
  await expectStillOpen(client, 'the 16th response', 50, { why: 'Nothing asked to close the connection.', spec: PERSIST });
});

test('answers pipelined requests that arrive cut at random points', async ({ server }) => {
  for (let round = 1; round <= 3; round++) {
    const client = await server.connect();
    await runPipelined(client, [echo(`first of round ${round}, cut anywhere`), inspect(2), hello(), echo('fourth'), greeting(), inspect(6, { method: 'POST', body: 'sixth' })], 'random');
  }
});

test('skips a body its handler did not read before reading the next request', async ({ server }) => {
  const why = 'A handler may answer without reading the body (a 404, a 405, a route that ignores it). Its bytes are still on the connection, in front of the next request: the server reads and discards them first.';
  const client = await server.connect();
  await runInTurn(client, [unreadBody('POST', '/', 1000, 405), greeting(), unreadBody('GET', '/', 64 * 1024, 200), inspect(4), unreadBody('POST', '/nowhere', 5000, 404), hello()]).catch((error: Error & { learn?: { why?: string; hint?: string } }) => {
    if (error.learn) error.learn.why ??= why;
    throw error;
  });
  const pipelined = await server.connect('pipelined');
  await runPipelined(pipelined, [unreadBody('POST', '/', 2000, 405), hello(), unreadBody('DELETE', '/greeting', 300, 405), inspect(4)]);
});

test('closes after a request that says Connection: close, and says so too', async ({ server }) => {
  for (const value of ['close', 'Close', 'keep-alive, close']) {
    const client = await server.connect();
    await runInTurn(client, [hello()]);
    await client.send(request({ target: '/greeting', headers: [['Connection', value]] }));
    const response = await readResponse(client, { what: `the response to a request with "Connection: ${value}"` });
    checkStatus(response, 200);
    check(response.hasToken('connection', 'close'), {
      message: `Expected "Connection: close" in the response to a request with "Connection: ${value}", received ${response.header('connection') === undefined ? 'no Connection field' : `"Connection: ${response.header('connection')}"`}.`,
      why: 'The client asked to close after this response. The server honours it and says so in the response, so that nobody sends another request on the connection.',
      spec: 'RFC 9112 §9.6; RFC 9110 §7.6.1 (connection options are case-insensitive)',
      hint: 'Split the Connection field at commas, trim, lower-case, and look for "close".',
    });
    await expectClosedAfter(client, 'that response', { spec: 'RFC 9112 §9.6', hint: 'When the request asked to close, end the connection after its response.' });
  }
});

test('closes after an HTTP/1.0 request, unless it asked for keep-alive', async ({ server }) => {
  const plain = await server.connect('http10');
  const response = await exchange(plain, request({ target: '/', version: 'HTTP/1.0' }));
  checkStatus(response, 200);
  await expectClosedAfter(plain, 'the response to an HTTP/1.0 request', {
    why: 'HTTP/1.0 closes the connection after each response unless the request says "Connection: keep-alive".',
    spec: 'RFC 9112 §9.3; RFC 9112 Appendix C.2.2',
    hint: 'For HTTP/1.0, keep the connection only when the Connection field lists keep-alive.',
  });

  const client = await server.connect('http10-keep-alive');
  for (const [i, step] of [hello(), greeting()].entries()) {
    await client.send(request({ target: step.what.slice(4), version: 'HTTP/1.0', headers: [['Connection', 'keep-alive']] }));
    const kept = await readResponse(client, { what: `the response to HTTP/1.0 request ${i + 1} with "Connection: keep-alive"`, spec: 'RFC 9112 §9.3' });
    step.check(kept, `the response to HTTP/1.0 request ${i + 1}`);
    check(kept.hasToken('connection', 'keep-alive'), {
      message: `Expected "Connection: keep-alive" in the response to an HTTP/1.0 request that asked for it, received ${kept.header('connection') === undefined ? 'no Connection field' : `"Connection: ${kept.header('connection')}"`}.`,
      why: 'An HTTP/1.0 client assumes the server closes after the response unless the response says keep-alive; without it, the client waits for the close.',
      spec: 'RFC 9112 Appendix C.2.2; RFC 2068 §19.7.1',
      hint: 'When you keep an HTTP/1.0 connection open, send "Connection: keep-alive".',
    });
  }
  const last = await exchange(client, request({ target: '/', version: 'HTTP/1.0' }));
  checkStatus(last, 200);
  await expectClosedAfter(client, 'the response to an HTTP/1.0 request without keep-alive', { spec: 'RFC 9112 §9.3' });
});

test('answers a malformed request in a pipeline after the good ones before it, then closes', async ({ server }) => {
  const bad = WIRE_MALFORMED.find((c) => c.what.startsWith('whitespace between'))!;
  const client = await server.connect();
  await client.send([hello().bytes, greeting().bytes, Buffer.from(bad.head, 'latin1'), hello().bytes]);
  await runPipelinedResponses(client, [hello(), greeting()]);
  const response = await readResponse(client, { what: 'the response to the third, malformed request' });
  checkStatus(response, 400, { why: `The third request has ${bad.what}.`, spec: bad.spec });
  await expectClosedAfter(client, 'the 400 response', {
    why: 'After a request it cannot read, the server cannot know where the next one starts; the fourth request is never answered.',
    spec: 'RFC 9112 §9.6; RFC 9110 §15.5.1',
    hint: 'After answering an HttpError, leave the loop and close.',
  });
});

test('still refuses bad framing on a kept-alive connection, and closes after it', async ({ server }) => {
  const cases: Array<[string, Buffer, number]> = [
    ['an invalid Content-Length', request({ method: 'POST', target: '/echo', headers: [['Content-Length', '1.5']], body: 'x', contentLength: false }), 400],
    ['Transfer-Encoding: chunked', request({ method: 'POST', target: '/echo', headers: [['Transfer-Encoding', 'chunked']], body: '1\r\nx\r\n0\r\n\r\n' }), 501],
    ['a body over the limit of /echo', request({ method: 'POST', target: '/echo', headers: [['Content-Length', String(64 * 1024 * 1024)]] }), 413],
  ];
  for (const [what, bytes, status] of cases) {
    const client = await server.connect();
    await runInTurn(client, [echo('a good one first')]);
    const response = await exchange(client, bytes, { what: `the response to a request with ${what}` });
    checkStatus(response, status, { why: `The second request has ${what} (http-body).` });
    await expectClosedAfter(client, `the ${status} response`, { why: 'Where this request\'s body ends is unknown (or it will not be read): the connection cannot carry another request.', spec: 'RFC 9112 §6.3' });
  }
});

test('serves 100 connections at once, each with several requests', async ({ server }) => {
  const clients = await Promise.all(Array.from({ length: 100 }, (_, i) => server.connect(`c${i + 1}`)));
  await Promise.all(clients.map((client, i) => runInTurn(client, [hello(), echo(`client ${i + 1}`), inspect(i)])));
});

test('ends its side when the client closes between requests, and keeps no sockets', async ({ server }) => {
  for (let i = 0; i < 100; i++) {
    const client = await server.connect(`seq${i + 1}`);
    const [response] = await runInTurn(client, [hello()]);
    checkNotClosing(response!, 'the response');
    await client.end();
    await client.expectClose({ why: 'The client closed its side between requests: there will be no next request.', hint: 'When readRequestHead returns undefined, leave the loop and end the connection.' });
    client.destroy();
  }
  await checkNoLeakedSockets(server, 100, {
    why: 'A connection loop that never ends keeps a socket (and its memory) per client that ever came.',
    hint: 'At EOF between requests, leave the loop; the server then ends and destroys the socket.',
  });
});

async function runPipelinedResponses(client: Parameters<typeof runPipelined>[0], steps: Step[]): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const label = `the response to pipelined request ${i + 1} (${step.what})`;
    step.check(await readResponse(client, { method: step.method, what: label }), label);
  }
}

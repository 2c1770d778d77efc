// Hidden tests for keep-alive, part 4: how a connection ends. A lingering close after the last
// response, also with requests still arriving behind it; "Expect: 100-continue" on a kept-alive
// connection; clients that reset or leave in the middle of a request. Last, one policy for the same
// situation in every server of the course (harness/testing/earlier-lessons.ts): a method the server
// does not implement is 501, OPTIONS * is answered for the server as a whole, "*" with another
// method is 400. Those cases share this program rather than pay for a program of their own.

import { randomBytes } from 'node:crypto';
import {
  serverTest,
  check,
  checkLingeringClose,
  checkNoLeakedSockets,
  checkResponse,
  httpCases,
  policyCases,
  readResponse,
  request,
  runCase,
} from '#harness/testing/index.ts';
import { HELLO, hello } from './cases.ts';

const test = serverTest('keep-alive');

const MiB = 1024 * 1024;
const CONTINUE = 'RFC 9110 §10.1.1 (Expect: 100-continue)';

// The first four each use a connection of their own and count nothing in the program: they run at
// once. The last counts the program's sockets, and runs alone.
test.concurrent('closes after "Connection: close" with a lingering close: requests pipelined behind it get no reset', async ({ server }) => {
  const client = await server.connect('pipeliner');
  await checkLingeringClose(client, {
    send: Buffer.concat([
      request({ target: '/', headers: [['Connection', 'close']] }),
      request({ method: 'POST', target: '/echo', headers: [['Content-Length', '100000']] }),
    ]),
    expect: { status: 200, body: Buffer.from(HELLO) },
    more: Buffer.alloc(100_000, 0x62),
  });
});

test.concurrent('closes after a 4 MiB echo that asked to close without cutting it short, while the next request is still arriving', async ({ server }) => {
  const body = randomBytes(4 * MiB);
  const client = await server.connect('pipeliner');
  await checkLingeringClose(client, {
    send: Buffer.concat([
      request({ method: 'POST', target: '/echo', headers: [['Connection', 'close']], body }),
      request({ method: 'POST', target: '/echo', headers: [['Content-Length', String(4 * MiB)]] }),
      Buffer.alloc(4 * MiB - 100_000, 0x62),
    ]),
    expect: { status: 200, body },
    more: Buffer.alloc(100_000, 0x62),
  });
});

test.concurrent('closes instead of draining when it answered without the body a client still holds back for 100 Continue', async ({ server }) => {
  const client = await server.connect('uploader');
  await client.send(
    request({
      method: 'POST',
      target: '/nowhere',
      headers: [
        ['Expect', '100-continue'],
        ['Content-Length', '5000'],
      ],
    }),
  );
  const teaching = {
    why: 'The client waits for 100 Continue before it sends its 5000 bytes; the server answered 404 from the head alone and never asked for them. The client may now send the body or not, so nobody knows where the next request would start: the server must say it closes, and close, instead of waiting to drain a body that may never come.',
    spec: `${CONTINUE}; RFC 9112 §9.6`,
    hint: 'After the handler: if body.waitingForContinue, set keepAlive = false, so the response says "Connection: close" and the loop ends without draining.',
  };
  const response = await readResponse(client, { what: 'the response to POST /nowhere with Expect: 100-continue', ...teaching });
  await checkResponse(
    client,
    response,
    { status: 404, fields: { Connection: /(^|,)\s*close\s*(,|$)/i }, close: true },
    'the response to POST /nowhere with Expect: 100-continue',
    teaching,
  );
});

test.concurrent('sends 100 Continue to a request pipelined behind another, after the answer to the first', async ({ server }) => {
  const client = await server.connect('pipeliner');
  await client.send([
    request({ target: '/' }),
    request({
      method: 'POST',
      target: '/echo',
      headers: [
        ['Expect', '100-continue'],
        ['Content-Length', '5'],
      ],
    }),
  ]);
  const teaching = {
    why: 'The second request waits for 100 Continue. The responses leave in order: the 200 to the first request, then the 100 for the second. Neither may wait in the socket while the server waits for the body the client will only send once it has the 100.',
    spec: `${CONTINUE}; RFC 9112 §9.3.2`,
    hint: 'The body reader writes the 100 with send(), which does not wait for a corked socket; the reader flushes held responses before it waits for the client.',
  };
  const first = await readResponse(client, { what: 'the response to GET /', ...teaching });
  await checkResponse(client, first, { status: 200, body: Buffer.from(HELLO) }, 'the response to GET /', teaching);
  const interim = await readResponse(client, { what: 'the 100 Continue for the pipelined POST /echo', ...teaching });
  check(interim.status === 100, {
    message: `Expected "HTTP/1.1 100 Continue" before the body of the second request was sent, received ${interim.summary()}.`,
    ...teaching,
  });
  await client.send('hello');
  const echoed = await readResponse(client, { what: 'the response to POST /echo', ...teaching });
  await checkResponse(client, echoed, { status: 200, body: Buffer.from('hello'), close: false }, 'the response to POST /echo', teaching);
});

test('answers a body cut short by the client (FIN) with 400, and keeps no sockets of clients that reset mid-request', async ({ server }) => {
  const short = await server.connect('short');
  await runCase(short, { name: 'a first request', exchanges: [hello()] });
  await short.send(Buffer.concat([request({ method: 'POST', target: '/inspect', headers: [['Content-Length', '1000']] }), Buffer.alloc(100, 0x61)]));
  await short.end();
  const teaching = {
    why: 'The client promised 1000 bytes, sent 100 and closed its side. /inspect answers only after reading the whole body: the request is incomplete (400), not a 100-byte body (200), and the connection ends.',
    spec: 'RFC 9112 §8 (incomplete messages)',
    hint: 'A BodyReader that hits EOF early throws HttpError 400; the loop answers it and leaves.',
  };
  const response = await readResponse(short, { what: 'the response to a body cut short', ...teaching });
  await checkResponse(short, response, { status: 400, close: true }, 'the response to a body cut short', teaching);

  for (let i = 0; i < 20; i++) {
    const client = await server.connect(`reset${i + 1}`);
    await runCase(client, { name: 'a first request', exchanges: [hello()] });
    await client.send(
      i % 2 === 0
        ? 'GET /greeting HTTP/1.1\r\nHost: exa'
        : Buffer.concat([request({ method: 'POST', target: '/echo', headers: [['Content-Length', '1000']] }), Buffer.alloc(10, 0x61)]),
    );
    await client.readFor(10);
    client.reset();
  }
  const after = await server.connect('after');
  await runCase(after, {
    name: 'a request after the resets',
    exchanges: [hello()],
    why: 'Clients that reset (RST) in the middle of a request end their own connection, not the server.',
  });
  after.destroy();
  await checkNoLeakedSockets(server, 22, {
    why: 'A client that resets in the middle of a head or a body ends its connection: the read fails, the loop ends, and the socket is released. A loop that catches the error and goes round again keeps the socket, and spins.',
    hint: 'Let errors that are not HttpErrors leave serveConnection; server.ts destroys the socket.',
  });
});

httpCases(test, policyCases(), { concurrent: true });

import { check, readResponse, request, serverTest, checkStatus, checkHeader, checkNoHeader, expectClosedAfter } from '#harness/testing/index.ts';
import { argsWith, httpPort } from './setup.ts';

// Plain bytes on the two ports, and the handshake deadline. No check here makes a handshake, so
// the program gets a deadline short enough to wait for: 300 ms. The plain-HTTP request's first
// byte goes out as soon as the connection is open, far inside it. The checks are independent (no
// counts, no restarts, no waiting for silence): they run concurrently on one program, and the two
// deadline waits overlap; a failure is still reported in the order they are written.
const HANDSHAKE_TIMEOUT_MS = 300;
const test = serverTest('https', { args: argsWith(HANDSHAKE_TIMEOUT_MS) });

test.concurrent('answers plain HTTP on the TLS port with a 400 that says so, then closes', async ({ server }) => {
  for (const split of ['whole', 'trickle'] as const) {
    const client = await server.connect();
    await client.send(request({ target: '/' }), { split });
    const response = await readResponse(client, {
      what: 'a plain-HTTP answer to a plain-HTTP request on the TLS port',
      why: 'A request that starts with "G" is no TLS record (a handshake record starts with 22). The client speaks HTTP, so it can only read an answer in HTTP; TLS alerts or silence leave it hanging or printing garbage.',
      spec: 'RFC 8446 §5.1; nginx answers this case with its status 497',
      hint: 'Look at the first byte: not 22 → write a plain "HTTP/1.1 400" with a body that says this port speaks HTTPS, and end().',
    });
    checkStatus(response, 400);
    check(/https/i.test(response.body.toString()), {
      message: `Expected the 400's body to say that this port speaks HTTPS, received "${response.body.toString()}".`,
      why: 'The person reading the 400 needs to know what to change: the scheme, not the request.',
    });
    checkNoHeader(response, 'Strict-Transport-Security', {
      why: 'RFC 6797 §7.2: a host must not send Strict-Transport-Security over plain HTTP; a browser ignores it there (§8.1), and it promises what this connection did not deliver.',
    });
    await expectClosedAfter(client, 'the 400', { why: 'Nothing after a plain-HTTP request can be served on a TLS port: close.', hint: 'socket.end(refusal).' });
  }
});

test.concurrent('closes a connection that sends nothing, at the handshake deadline', async ({ server }) => {
  const client = await server.connect('silent');
  const started = performance.now();
  await client.expectClose({
    by: 'any',
    timeoutMs: HANDSHAKE_TIMEOUT_MS + 2000,
    why: `A client that connects and says nothing holds a socket and memory for free; the program was started with --handshake-timeout ${HANDSHAKE_TIMEOUT_MS}.`,
    hint: 'Start a timer when the connection arrives, and destroy the socket when no byte came before it fires.',
  });
  server.transcript.note(`closed after ${Math.round(performance.now() - started)} ms`);
});

test.concurrent('closes a connection whose handshake stalls, at the handshake deadline', async ({ server }) => {
  const client = await server.connect('stalled');
  // The first 9 bytes of a ClientHello: a record header and the start of the handshake header.
  await client.send(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]));
  await client.expectClose({
    by: 'any',
    timeoutMs: HANDSHAKE_TIMEOUT_MS * 2 + 2000,
    why: `A ClientHello that never completes holds a socket as long as a silent client; the program was started with --handshake-timeout ${HANDSHAKE_TIMEOUT_MS}.`,
    spec: 'Node docs: tls.createServer handshakeTimeout',
    hint: 'Give tls.createServer handshakeTimeout (default 120 s: far too long for a client that sends half a hello).',
  });
});
test.concurrent('redirects plain HTTP on --http-port to https:// with 308, path and query kept', async ({ server }) => {
  const cases = [
    { method: 'GET', host: `localhost:${httpPort}`, target: '/chat.js?v=2&x=%C3%A9', location: `https://localhost:${server.port}/chat.js?v=2&x=%C3%A9` },
    { method: 'POST', host: `chat.app.test:${httpPort}`, target: '/upload?id=7', location: `https://chat.app.test:${server.port}/upload?id=7` },
    { method: 'GET', host: '127.0.0.1', target: '/', location: `https://127.0.0.1:${server.port}/` },
  ];
  const client = await server.connectTo(httpPort, 'http');
  for (const { method, host, target, location } of cases) {
    await client.send(request({ method, host, target, body: method === 'POST' ? 'a=1' : undefined }));
    const response = await readResponse(client, {
      method,
      what: `the answer to ${method} ${target} (Host: ${host}) on the plain-HTTP port`,
      why: 'The plain-HTTP port exists to send clients to HTTPS.',
      hint: 'Serve the --http-port listener with a router that answers every request with the redirect.',
    });
    checkStatus(response, 308, {
      why: '308 Permanent Redirect keeps the method and body (RFC 9110 §15.4.9); with 301 or 302 a client may turn a POST into a GET (§15.4.2, §15.4.3).',
    });
    checkHeader(response, 'Location', location, {
      why: 'The same resource over HTTPS: the host the client asked for (the Host field, without the plain port), the TLS port, and the request-target as it came, path and query, byte for byte (RFC 9110 §4.2.2: https URIs; §10.2.2 Location).',
      hint: 'https:// + the Host name + ":" + the TLS port + head.target.',
    });
    checkNoHeader(response, 'Strict-Transport-Security', {
      why: 'RFC 6797 §7.2: Strict-Transport-Security must not be sent over plain HTTP: nothing protected this response, so it can promise nothing.',
      hint: 'Add HSTS on the TLS side only.',
    });
  }
});

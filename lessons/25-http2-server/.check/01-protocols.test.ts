// Hidden tests for http2-server, part 1: the TLS port agrees on a protocol by ALPN and serves each
// connection with it. h2 when the client offers it (the server's preference decides), http/1.1
// otherwise, and HTTP/1.1 for a client that offers nothing; HTTP/2 only over TLS 1.2 or later
// with a cipher suite RFC 9113 allows, and that rule is HTTP/2's alone.
// Each test has connections of its own and counts nothing of the program's (no stats, no output,
// no silence to prove): they run at once (test.concurrent), and the file takes about as long as
// its longest test.

import type tls from 'node:tls';
import {
  H2Error,
  H2Type,
  check,
  checkStatus,
  describeH2Frame,
  expectGoaway,
  readH2Frame,
  readResponse,
  request,
  serverTest,
  checkHeader,
  type Server,
} from '#harness/testing/index.ts';
import { getFrame, readUntil, sendPreface } from './h2.ts';
import { args, trusting } from './setup.ts';

const test = serverTest('http2-server', { args });

const ALPN_SPEC = 'RFC 7301 §3.2, RFC 9113 §3.2';

/** Opens a TLS connection and checks the protocol the handshake agreed on. */
async function agreed(server: Server, options: tls.ConnectionOptions, expected: string | false, teaching: { why: string; hint: string }) {
  const client = await server.connectTls(options);
  const alpn = (client.socket as tls.TLSSocket).alpnProtocol;
  const offered = options.ALPNProtocols ? `offered ${(options.ALPNProtocols as string[]).join(', ')}` : 'offered no protocol';
  check(alpn === expected, {
    message: `Expected the handshake to agree on ${expected ? `"${expected}"` : 'no protocol'} (the client ${offered}), received ${alpn ? `"${alpn}"` : 'no protocol'}.`,
    spec: ALPN_SPEC,
    ...teaching,
  });
  return client;
}

test.concurrent('agrees on h2 with a client that offers h2 and http/1.1, and speaks HTTP/2 on it', async ({ server }) => {
  const client = await agreed(server, trusting(['h2', 'http/1.1']), 'h2', {
    why: 'A browser offers h2 and http/1.1 and speaks whichever the server picks. A server that speaks HTTP/2 picks h2: one connection carries every request of the page at once.',
    hint: "ALPN_PROTOCOLS in alpn.ts is what tls.createServer offers: ['h2', 'http/1.1'].",
  });
  await sendPreface(client, [getFrame(1, '/hello.txt', 'https')]);
  const frame = await readH2Frame(client, {
    why: 'On a connection that agreed on h2, the server speaks HTTP/2 from its first byte: its preface is a SETTINGS frame.',
    spec: 'RFC 9113 §3.4',
    hint: "serveTls in dispatch.ts: socket.alpnProtocol === 'h2' goes to connections.serveHttp2.",
  });
  check(frame.type === H2Type.SETTINGS && (frame.flags & 0x1) === 0, {
    message: `Expected the server's preface, a SETTINGS frame, received ${describeH2Frame(frame)}.`,
    spec: 'RFC 9113 §3.4',
    hint: "serveTls in dispatch.ts: socket.alpnProtocol === 'h2' goes to connections.serveHttp2.",
  });
  const frames = await readUntil(client, (f) => f.type === H2Type.GOAWAY || (f.type === H2Type.HEADERS && f.streamId === 1), {
    what: 'the response HEADERS on stream 1 (GET /hello.txt over h2)',
    spec: 'RFC 9113 §8.1',
    hint: 'connections.serveHttp2(socket, app, site.http2) serves the requests of an h2 connection.',
  });
  check(frames.at(-1)!.type === H2Type.HEADERS, {
    message: `Expected the response HEADERS on stream 1, received ${describeH2Frame(frames.at(-1)!)}.`,
    spec: 'RFC 9113 §8.1',
  });
});

test.concurrent('prefers h2 when the client lists http/1.1 first', async ({ server }) => {
  await agreed(server, trusting(['http/1.1', 'h2']), 'h2', {
    why: "With ALPN the server chooses (RFC 7301 §3.2): OpenSSL takes the first of the server's protocols that the client offered, in the server's order. That order is the server's preference.",
    hint: "Put h2 first: ['h2', 'http/1.1'].",
  });
});

test.concurrent('agrees on http/1.1 with a client that offers only http/1.1, and serves it HTTP/1.1 with HSTS', async ({ server }) => {
  const client = await agreed(server, trusting(['http/1.1']), 'http/1.1', {
    why: 'Clients that speak only HTTP/1.1 (older tools, a WebSocket client) must still be served: http/1.1 stays in the list, after h2.',
    hint: "ALPN_PROTOCOLS: ['h2', 'http/1.1'].",
  });
  await client.send(request({ target: '/hello.txt' }));
  const response = await readResponse(client, { what: 'the response to GET /hello.txt over TLS with http/1.1' });
  checkStatus(response, 200, { hint: "Anything that is not h2 goes to lesson 21's HTTP/1.1 path (connections.serveHttp1)." });
  checkHeader(response, 'Strict-Transport-Security', /^max-age=\d+/, {
    why: 'Every response over HTTPS tells the browser to come back over HTTPS only.',
    spec: 'RFC 6797 §7.1',
    hint: 'Pass withHsts as decorate to serveHttp1.',
  });
});

test.concurrent('serves HTTP/1.1 to a client that offers no ALPN at all', async ({ server }) => {
  const client = await agreed(server, trusting(), false, {
    why: 'A client that sends no ALPN extension gets no protocol from the handshake.',
    hint: 'Nothing to do in the TLS setup: this is what no ALPN extension means.',
  });
  await client.send(request({ target: '/hello.txt' }));
  const response = await readResponse(client, {
    what: 'the response to GET /hello.txt on a TLS connection with no ALPN',
    why: 'A client with no ALPN speaks HTTP/1.1, as every HTTPS client did before ALPN existed (curl --http1.1 --no-alpn, many libraries). h2 is only ever spoken when it was agreed.',
    spec: 'RFC 9113 §3.2',
    hint: "Test for h2 (socket.alpnProtocol === 'h2'), not for http/1.1: alpnProtocol is false when nothing was agreed.",
  });
  checkStatus(response, 200);
});

test.concurrent('refuses a client that offers only protocols it does not speak', async ({ server }) => {
  let error: Error | undefined;
  try {
    const client = await server.connectTls(trusting(['spdy/3.1']));
    client.destroy();
  } catch (caught) {
    error = caught as Error;
  }
  check(
    error !== undefined &&
      /no.application.protocol|NO_APPLICATION_PROTOCOL|alert number 120/i.test(
        String(error.message) + String((error as { cause?: Error }).cause?.message ?? ''),
      ),
    {
      message: `Expected the handshake to fail with the alert no_application_protocol, received ${error ? error.message.split('\n')[0] : 'a finished handshake'}.`,
      why: 'A client that offers only protocols the server lacks gets the fatal alert no_application_protocol (120), never a connection that speaks something the client did not ask for.',
      spec: 'RFC 7301 §3.2',
      hint: 'Offer a list with ALPNProtocols and let OpenSSL refuse; an ALPNCallback must return undefined when nothing fits.',
    },
  );
});

const TLS12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;

test.concurrent('answers h2 over TLS 1.2 with a prohibited cipher suite with SETTINGS, then GOAWAY INADEQUATE_SECURITY', async ({ server }) => {
  // ECDHE-ECDSA-AES128-SHA256: an ephemeral key exchange, but AES-CBC with HMAC, not an AEAD.
  const client = await agreed(server, { ...trusting(['h2', 'http/1.1']), ...TLS12, ciphers: 'ECDHE-ECDSA-AES128-SHA256' }, 'h2', {
    why: 'The suite is chosen in the same handshake as the protocol; the server finds out afterwards.',
    hint: "ALPN_PROTOCOLS: ['h2', 'http/1.1'].",
  });
  await sendPreface(client);
  const first = await readH2Frame(client, { why: 'Expected the server preface (SETTINGS) before the GOAWAY.', spec: 'RFC 9113 §3.4' });
  check(first.type === H2Type.SETTINGS && (first.flags & 0x1) === 0, {
    message: `Expected the server's preface, a SETTINGS frame, before the GOAWAY, received ${describeH2Frame(first)}.`,
    why: "The connection agreed on h2, so it is an HTTP/2 connection: the server's first frame is SETTINGS, even when the next one ends the connection.",
    spec: 'RFC 9113 §3.4',
    hint: 'Write encodeFrame(SETTINGS, 0, 0) first, then the GOAWAY.',
  });
  await expectGoaway(client, H2Error.INADEQUATE_SECURITY, 'h2 agreed over TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', {
    lastStreamId: 0,
    skip: (frame) => frame.type === H2Type.SETTINGS || frame.type === H2Type.WINDOW_UPDATE,
    why: 'HTTP/2 over TLS 1.2 must not use the cipher suites of RFC 9113 Appendix A (no ephemeral key exchange, or no AEAD cipher). A server that finds one after the handshake ends the connection with INADEQUATE_SECURITY.',
    spec: 'RFC 9113 §9.2.1, §9.2.2',
    hint: 'inadequateSecurity(socket) in alpn.ts: socket.getCipher().standardName must name ECDHE or DHE and GCM, CCM or CHACHA20_POLY1305.',
  });
});

test.concurrent('speaks HTTP/2 over TLS 1.2 with ECDHE and AES-GCM', async ({ server }) => {
  const client = await agreed(server, { ...trusting(['h2']), ...TLS12, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }, 'h2', {
    why: 'TLS 1.2 is enough for HTTP/2 (RFC 9113 §9.2).',
    hint: "ALPN_PROTOCOLS: ['h2', 'http/1.1'].",
  });
  await sendPreface(client, [getFrame(1, '/hello.txt', 'https')]);
  const frames = await readUntil(client, (frame) => frame.type === H2Type.GOAWAY || (frame.type === H2Type.HEADERS && frame.streamId === 1), {
    what: 'the response HEADERS on stream 1 (GET /hello.txt)',
    why: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 is allowed: the server speaks HTTP/2 and answers.',
    spec: 'RFC 9113 §9.2.2',
  });
  const last = frames.at(-1)!;
  check(last.type === H2Type.HEADERS, {
    message: `Expected the response HEADERS on stream 1, received ${describeH2Frame(last)}.`,
    why: 'TLS 1.2 with an ephemeral key exchange (ECDHE) and an AEAD cipher (AES-GCM) meets every requirement of RFC 9113 §9.2; only the suites of Appendix A are refused.',
    spec: 'RFC 9113 §9.2.2',
    hint: 'inadequateSecurity(socket) returns undefined for TLS 1.3, and for TLS 1.2 with ECDHE/DHE and GCM/CCM/CHACHA20_POLY1305.',
  });
});

test.concurrent("serves HTTP/1.1 over TLS 1.2 with a CBC suite: the cipher rule is HTTP/2's", async ({ server }) => {
  const client = await agreed(server, { ...trusting(['http/1.1']), ...TLS12, ciphers: 'ECDHE-ECDSA-AES128-SHA256' }, 'http/1.1', {
    why: 'RFC 9113 §9.2.2 restricts HTTP/2; HTTP/1.1 over TLS 1.2 may use this suite, and older clients do.',
    hint: "Leave the TLS server's cipher list as it is; refuse the suite only on a connection that agreed on h2.",
  });
  await client.send(request({ target: '/hello.txt' }));
  const response = await readResponse(client, {
    what: 'the response to GET /hello.txt over TLS 1.2 with a CBC suite and http/1.1',
    why: 'The suites of RFC 9113 Appendix A are prohibited for HTTP/2 only.',
    spec: 'RFC 9113 §9.2.2',
    hint: 'In serveTls, check inadequateSecurity only in the h2 branch.',
  });
  checkStatus(response, 200);
});

test.concurrent('still refuses plain HTTP on the TLS port with a 400 it can read', async ({ server }) => {
  const client = await server.connect();
  await client.send(request({ target: '/' }));
  const response = await readResponse(client, { what: 'the answer to plain HTTP on the TLS port' });
  checkStatus(response, 400, {
    why: "The TLS port is lesson 21's: its first byte tells a handshake from plain HTTP.",
    hint: 'server.ts listens with createTlsPort from lesson 21.',
  });
});

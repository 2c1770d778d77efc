// Hidden tests for http2-server, part 1: the TLS port agrees on a protocol by ALPN and serves each
// connection with it. h2 when the client offers it (the server's preference decides), http/1.1
// otherwise, and HTTP/1.1 for a client that offers nothing; HTTP/2 only over TLS 1.2 or later
// with a cipher suite RFC 9113 allows, and that rule is HTTP/2's alone.
// Then the one application either way. The site over h2 has the same bodies, byte for byte, as
// over HTTP/1.1; ranges, validators, compression (in DATA frames, never Transfer-Encoding) and
// uploads work over HTTP/2; the cleartext port speaks HTTP/2 with prior knowledge; HSTS goes with
// every HTTPS response and never over cleartext; and the chat still upgrades over HTTP/1.1 on the
// TLS port.
// Each test has connections of its own and counts nothing of the program's (no stats, no output,
// no silence to prove): they run at once (test.concurrent), and the file takes about as long as
// its longest test. Both parts share one program (one start of a TLS server, one set of
// certificates) in one file, so that the shutdown checks (part 2) run beside them from the start.

import type tls from 'node:tls';
import zlib from 'node:zlib';
import WebSocket from 'ws';
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
  type HttpResponse,
  type Server,
} from '#harness/testing/index.ts';
import { connectH2, getFrame, readUntil, requestH2, sendPreface, type H2Reply } from './h2.ts';
import { args, certs, h2cPort, trusting } from './setup.ts';

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

const PATHS = ['/', '/index.html', '/alphabet.txt', '/style.css', '/images/noise.png', '/chat.js', '/docs/'];
const tlsUrl = (server: Server) => `https://localhost:${server.port}`;
const h2cUrl = `http://127.0.0.1:${h2cPort}`;

/** GET over HTTP/1.1 on a TLS connection that agreed on http/1.1. */
async function http1Get(server: Server, target: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  const client = await server.connectTls(trusting(['http/1.1']));
  await client.send(request({ target, headers: Object.entries(headers) }));
  const response = await readResponse(client, { what: `the response to GET ${target} over HTTP/1.1` });
  client.destroy();
  return response;
}

const secureSession = (server: Server) =>
  connectH2(
    tlsUrl(server),
    { ca: certs.caPem, servername: 'localhost' },
    {
      hint: "ALPN_PROTOCOLS ['h2', 'http/1.1'], and serveTls hands an h2 connection to connections.serveHttp2.",
    },
  );

function checkReply(reply: H2Reply, status: number, what: string, hint?: string): void {
  check(reply.status === status, {
    message: `Expected status ${status} for ${what} over HTTP/2, received ${reply.status}.`,
    why: 'Requests reach the same application over HTTP/2 as over HTTP/1.1: the same routes, the same answers.',
    hint: hint ?? 'connections.serveHttp2(socket, app, …) with the whole application (site.app).',
  });
}

test.concurrent('serves the site over h2 with the bodies HTTP/1.1 gets, byte for byte', async ({ server }) => {
  const session = await secureSession(server);
  try {
    for (const path of PATHS) {
      const [h2, h1] = await Promise.all([requestH2(session, { ':path': path }), http1Get(server, path)]);
      checkStatus(h1, 200);
      checkReply(h2, 200, `GET ${path}`);
      check(h2.body.equals(h1.body), {
        message: `Expected the body of ${path} over h2 to be the ${h1.body.length} bytes HTTP/1.1 gets, received ${h2.body.length} bytes${h2.body.length === h1.body.length ? ' that differ' : ''}.`,
        expected: h1.body,
        received: h2.body,
        why: 'The application does not know which protocol carries it: only the framing differs (DATA frames instead of Content-Length or chunks).',
      });
      check(h2.headers['content-type'] === h1.header('content-type'), {
        message: `Expected Content-Type "${h1.header('content-type')}" for ${path} over h2, as over HTTP/1.1, received "${h2.headers['content-type']}".`,
      });
    }
  } finally {
    session.close();
  }
});

test.concurrent('sends Strict-Transport-Security over h2 on the TLS port, and never on the cleartext port', async ({ server }) => {
  const secure = await secureSession(server);
  const clear = await connectH2(h2cUrl, {}, { hint: 'server.ts listens on --h2c-port with serveH2c.' });
  try {
    const [overTls, overClear] = await Promise.all([requestH2(secure, { ':path': '/hello.txt' }), requestH2(clear, { ':path': '/hello.txt' })]);
    check(/^max-age=\d+/.test(String(overTls.headers['strict-transport-security'] ?? '')), {
      message: `Expected Strict-Transport-Security with a max-age on a response over h2 on the TLS port, received ${overTls.headers['strict-transport-security'] ?? 'none'}.`,
      why: 'HSTS belongs to every HTTPS response, whatever the HTTP version: a browser that loads the site over h2 must learn it too.',
      spec: 'RFC 6797 §7.1',
      hint: 'Wrap the application handed to serveHttp2 on the TLS port so that each response goes through withHsts.',
    });
    check(overClear.headers['strict-transport-security'] === undefined, {
      message: `Expected no Strict-Transport-Security over cleartext HTTP/2, received "${overClear.headers['strict-transport-security']}".`,
      why: 'A host must not send HSTS over an insecure transport: anyone on the path could add or remove it.',
      spec: 'RFC 6797 §7.2',
      hint: 'serveH2c hands the plain application to serveHttp2, without the HSTS wrapper.',
    });
  } finally {
    secure.close();
    clear.close();
  }
});

test.concurrent('serves the site on the cleartext port to a client with prior knowledge', async ({ server }) => {
  const session = await connectH2(
    h2cUrl,
    {},
    {
      why: 'On --h2c-port the client starts HTTP/2 at once, with the 24-octet preface (prior knowledge, RFC 9113 §3.3).',
      hint: 'serveH2c in dispatch.ts: every connection on that port goes to connections.serveHttp2.',
    },
  );
  try {
    const [h2, h1] = await Promise.all([requestH2(session, { ':path': '/alphabet.txt' }), http1Get(server, '/alphabet.txt')]);
    checkReply(h2, 200, 'GET /alphabet.txt on the cleartext port');
    check(h2.body.equals(h1.body), {
      message: `Expected the ${h1.body.length} bytes of /alphabet.txt over h2c, received ${h2.body.length} bytes.`,
      expected: h1.body,
      received: h2.body,
    });
  } finally {
    session.close();
  }
});

test.concurrent('answers a range over h2 with 206 and Content-Range, and a conditional request with 304', async ({ server }) => {
  const session = await secureSession(server);
  try {
    const whole = await requestH2(session, { ':path': '/alphabet.txt' });
    const part = await requestH2(session, { ':path': '/alphabet.txt', range: 'bytes=10-19' });
    checkReply(part, 206, 'GET /alphabet.txt with Range: bytes=10-19');
    check(part.body.equals(whole.body.subarray(10, 20)) && part.headers['content-range'] === `bytes 10-19/${whole.body.length}`, {
      message: `Expected bytes 10–19 with Content-Range "bytes 10-19/${whole.body.length}", received ${part.body.length} bytes with "${part.headers['content-range']}".`,
      spec: 'RFC 9110 §14.4',
    });
    const etag = String(whole.headers.etag);
    const unchanged = await requestH2(session, { ':path': '/alphabet.txt', 'if-none-match': etag });
    checkReply(unchanged, 304, `GET /alphabet.txt with If-None-Match: ${etag}`);
    check(unchanged.body.length === 0, { message: `Expected no body with 304, received ${unchanged.body.length} bytes.`, spec: 'RFC 9110 §15.4.5' });
  } finally {
    session.close();
  }
});

test.concurrent('compresses over h2 in DATA frames, with no Transfer-Encoding, to the same bytes decoded', async ({ server }) => {
  const session = await secureSession(server);
  try {
    for (const coding of ['gzip', 'br'] as const) {
      const [plain, packed] = await Promise.all([
        requestH2(session, { ':path': '/page.js' }),
        requestH2(session, { ':path': '/page.js', 'accept-encoding': coding }, undefined, {
          why: "Node's client is strict: a response carrying Transfer-Encoding (or Connection) is malformed in HTTP/2, a stream error.",
          spec: 'RFC 9113 §8.2.2',
          hint: 'The HTTP/2 connection drops connection-specific fields (lesson 24); the compressed body is DATA frames, never chunks.',
        }),
      ]);
      checkReply(packed, 200, `GET /page.js with Accept-Encoding: ${coding}`);
      check(packed.headers['content-encoding'] === coding, {
        message: `Expected Content-Encoding: ${coding} over h2, received ${packed.headers['content-encoding'] ?? 'none'}.`,
        why: "Compression is the application's, the same over every protocol.",
      });
      check(packed.headers['transfer-encoding'] === undefined, {
        message: `Expected no Transfer-Encoding over h2, received "${packed.headers['transfer-encoding']}".`,
        spec: 'RFC 9113 §8.2.2',
      });
      const decoded = coding === 'gzip' ? zlib.gunzipSync(packed.body) : zlib.brotliDecompressSync(packed.body);
      check(decoded.equals(plain.body), {
        message: `Expected the ${coding} body to decode to the ${plain.body.length} bytes of /page.js, received ${decoded.length} bytes.`,
        expected: plain.body,
        received: decoded,
      });
    }
  } finally {
    session.close();
  }
});

test.concurrent('takes an upload over h2: POST /echo echoes every byte', async ({ server }) => {
  const session = await secureSession(server);
  try {
    // Larger than the 65,535-octet windows, with every byte value (0x80 and up included).
    const body = Buffer.alloc(200_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const reply = await requestH2(session, { ':method': 'POST', ':path': '/echo', 'content-type': 'application/octet-stream' }, body, {
      why: 'An upload larger than the flow-control windows needs WINDOW_UPDATEs as the handler reads (lesson 24).',
    });
    checkReply(reply, 200, 'POST /echo with 200,000 bytes');
    check(reply.body.equals(body), {
      message: `Expected the echo of all 200,000 bytes, received ${reply.body.length} bytes${reply.body.length === body.length ? ' that differ' : ''}.`,
      expected: body,
      received: reply.body,
      why: 'A request body over HTTP/2 is DATA frames; the application reads it as it reads any body.',
    });
  } finally {
    session.close();
  }
});

test.concurrent('serves 20 requests at once on one h2 connection', async ({ server }) => {
  const session = await secureSession(server);
  try {
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => requestH2(session, { ':path': i % 2 ? '/alphabet.txt' : '/index.html' })));
    const statuses = replies.map((r) => r.status);
    check(
      statuses.every((s) => s === 200),
      {
        message: `Expected 20 responses with 200, received ${statuses.join(', ')}.`,
        why: 'HTTP/2 multiplexes: a browser sends every request of a page at once on one connection.',
        spec: 'RFC 9113 §5',
      },
    );
  } finally {
    session.close();
  }
});

test.concurrent('still upgrades the chat to WebSocket over HTTP/1.1 on the TLS port', async ({ server }) => {
  // ws speaks HTTP/1.1 and offers no ALPN: the HTTP/1.1 path must take it.
  const ws = new WebSocket(`wss://localhost:${server.port}/chat`, { ca: certs.caPem });
  const received = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'join', name: 'ann', room: 'h2' })));
    ws.once('message', (data) => (clearTimeout(timer), resolve(String(data))));
    ws.once('error', (error) => (clearTimeout(timer), reject(error)));
  }).catch((error: Error) => error);
  ws.terminate();
  check(typeof received === 'string' && received.includes('"room"'), {
    message: `Expected the chat to answer a join over wss:// (HTTP/1.1 upgrade), received ${typeof received === 'string' ? received : `an error: ${received.message}`}.`,
    why: "A WebSocket opens with an HTTP/1.1 GET that upgrades (RFC 6455 §4); the TLS port's HTTP/1.1 path is lesson 21's, which upgrades.",
    hint: "A client with no ALPN (ws offers none) is an HTTP/1.1 client: test for 'h2', not for 'http/1.1'.",
  });
});

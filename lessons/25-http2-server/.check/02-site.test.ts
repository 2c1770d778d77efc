// Hidden tests for http2-server, part 2: the one application either way. The site over h2 has the
// same bodies, byte for byte, as over HTTP/1.1; ranges, validators, compression (in DATA frames,
// never Transfer-Encoding) and uploads work over HTTP/2; the cleartext port speaks HTTP/2 with
// prior knowledge; HSTS goes with every HTTPS response and never over cleartext; and the chat
// still upgrades over HTTP/1.1 on the TLS port.
// Each test has connections of its own and counts nothing of the program's (no stats, no output,
// no silence to prove): they run at once (test.concurrent), and the file takes about as long as
// its longest test.

import zlib from 'node:zlib';
import WebSocket from 'ws';
import { check, checkStatus, readResponse, request, serverTest, type HttpResponse, type Server } from '#harness/testing/index.ts';
import { connectH2, requestH2, type H2Reply } from './h2.ts';
import { args, certs, h2cPort, trusting } from './setup.ts';

const test = serverTest('http2-server', { args });

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

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import tls from 'node:tls';
import { check, readResponse, request, serverTest, checkStatus, checkHeader, toBuffer, importLessonModule, peerHasRead } from '#harness/testing/index.ts';
import { argsWith, certs, trusting } from './setup.ts';

// Everything here goes over TLS, and no check waits for the handshake deadline: 10 s only keeps it
// out of the way of a handshake on a loaded machine. The checks are independent of each other (no
// counts, no restarts, no waiting for silence), so they run concurrently on one program; a failure
// is still reported in the order they are written.
const test = serverTest('https', { args: argsWith(10_000) });

interface Identity {
  certificate: X509Certificate;
  context: tls.SecureContext;
}

interface TlsServerModule {
  identityFor(identities: Identity[], servername: string): Identity;
}

// First, without the program: the choice SNICallback makes, on this run's two certificates. (It
// fails at once on a program that has not begun, while the program still starts.)
test.concurrent('identityFor picks the first certificate that covers the name, wildcards as clients match them, else the first', async () => {
  const { identityFor } = await importLessonModule<TlsServerModule>('https', 'tls-server.ts', ['identityFor']);
  const identities = certs.servers.map(({ cert, key }): Identity => {
    const pem = fs.readFileSync(cert);
    return { certificate: new X509Certificate(pem), context: tls.createSecureContext({ cert: pem, key: fs.readFileSync(key) }) };
  });
  const label = (identity: Identity | undefined) => {
    const index = identity ? identities.indexOf(identity) : -1;
    if (index >= 0) return `certificate ${index + 1} (${certs.servers[index]!.names.join(', ')})`;
    return identity?.certificate instanceof X509Certificate ? `a certificate for ${identity.certificate.subjectAltName}` : String(identity);
  };
  // [servername, the certificate it gets]: a wildcard covers exactly one label (RFC 6125 §6.4.3).
  for (const [servername, wanted] of [
    ['localhost', 0],
    ['app.test', 1],
    ['chat.app.test', 1],
    ['a.chat.app.test', 0],
    ['elsewhere.example', 0],
  ] as const) {
    const got = identityFor(identities, servername);
    check(got === identities[wanted], {
      message: `Expected identityFor(…, "${servername}") to be ${label(identities[wanted])}, received ${label(got)}.`,
      why:
        wanted === 0 && servername !== 'localhost'
          ? 'No certificate covers this name: the server goes on with the first (the default), and the client decides (RFC 6066 §3).'
          : "The client asked for this name (SNI): the certificate must cover it in its subjectAltName, where a wildcard stands for exactly one label. The subject's CN is not where clients look (RFC 6125 §6.4.4).",
      spec: 'RFC 6066 §3; RFC 6125 §6.4; Node docs: x509.checkHost',
      hint: 'identities.find(({ certificate }) => certificate.checkHost(servername) !== undefined) ?? identities[0].',
    });
  }
});

test.concurrent('answers GET / over TLS, with HTTP/1.1 agreed by ALPN', async ({ server }) => {
  const client = await server.connectTls({ ...trusting('localhost'), ALPNProtocols: ['h2', 'http/1.1'] });
  const alpn = (client.socket as tls.TLSSocket).alpnProtocol;
  check(alpn === 'http/1.1', {
    message: `Expected the handshake to agree on "http/1.1" (the client offered h2 and http/1.1), received ${alpn ? `"${alpn}"` : 'no protocol'}.`,
    why: 'ALPN tells the client which protocol to speak on the connection. Agreeing on nothing leaves a browser guessing; agreeing on h2 makes it speak HTTP/2 to a server that speaks HTTP/1.1.',
    spec: 'RFC 7301 §3.2',
    hint: "Give tls.createServer ALPNProtocols: ['http/1.1'] (h2 joins it in Part 8).",
  });
  await client.send(request({ target: '/' }));
  const response = await readResponse(client, { what: 'the response to GET / over TLS' });
  checkStatus(response, 200, { hint: 'Once the handshake is done, the TLSSocket is handed to the same connection code as a net.Socket.' });
});

test.concurrent('keeps a TLS connection alive for a second request', async ({ server }) => {
  const client = await server.connectTls(trusting('localhost'));
  for (const target of ['/', '/chat.js']) {
    await client.send(request({ target }));
    checkStatus(await readResponse(client, { what: `the response to GET ${target}` }), 200, {
      why: 'HTTP/1.1 keeps a connection open between requests (RFC 9112 §9.3); over TLS that saves a whole handshake each time.',
    });
  }
});

test.concurrent('takes a chunked upload over TLS', async ({ server }) => {
  const client = await server.connectTls(trusting('localhost'));
  // Cut at random points, each piece its own write and so its own TLS record: the size lines and
  // CRLFs arrive cut as often as the body. 4000 bytes are some 70 pieces (1 ms apart); the cuts
  // land as densely in a longer body, which only makes the check slower.
  const body = Buffer.alloc(4000, 0xe9);
  const head = 'PUT /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n';
  const chunks = [body.subarray(0, 3000), body.subarray(3000)].map((piece) =>
    Buffer.concat([toBuffer(`${piece.length.toString(16)}\r\n`), piece, toBuffer('\r\n')]),
  );
  await client.send([toBuffer(head), ...chunks, toBuffer('0\r\n\r\n')], { split: 'random' });
  const response = await readResponse(client, { what: 'the response to a chunked PUT /echo' });
  checkStatus(response, 200);
  check(response.body.equals(body), {
    message: `Expected the echo of all ${body.length} bytes, received ${response.body.length} bytes${response.body.length === body.length ? ' that differ' : ''}.`,
    expected: body,
    received: response.body,
    why: 'The decrypted bytes are the same stream as over TCP: the body reader must see every one.',
  });
});

test.concurrent('answers a client that half-closes after its request', async ({ server }) => {
  const client = await server.connectTls(trusting('localhost'));
  await client.send(request({ target: '/' }));
  client.end();
  const response = await readResponse(client, {
    what: 'the response to a request sent before the client closed its side',
    why: "A client's FIN (after TLS close_notify) ends its requests, not the server's answers. A TLSSocket without allowHalfOpen ends its own side as soon as the client's ends, and the response is lost.",
    spec: 'RFC 9112 §9.6',
    hint: 'Give tls.createServer allowHalfOpen: true, as the course gives net.createServer.',
  });
  checkStatus(response, 200);
});

test.concurrent('serves a ClientHello whose first byte arrives alone', async ({ server }) => {
  // The TLS client writes through a Duplex of ours (not a net.Socket, so node:tls really calls
  // its write): the first write, the ClientHello, goes out as its first byte, and the rest only
  // once the program has read that byte (its receive queue is empty): its first read is then that
  // byte alone, however long a loaded machine takes to get to it. (Where that cannot be told, not
  // on Linux, the rest follows 50 ms later.)
  const raw = net.connect({ host: '127.0.0.1', port: server.port });
  await new Promise((resolve, reject) => raw.once('connect', resolve).once('error', reject));
  raw.setNoDelay(true);
  let first = true;
  const wire = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      if (!first) return void raw.write(chunk, done);
      first = false;
      raw.write(chunk.subarray(0, 1));
      void firstByteRead(raw.localPort!, server.port).then(() => raw.write(chunk.subarray(1), done));
    },
    read() {},
    final(done) {
      raw.end(done);
    },
  });
  raw.on('data', (chunk) => wire.push(chunk));
  raw.on('end', () => wire.push(null));
  raw.on('error', (error) => wire.destroy(error));
  server.transcript.note('c1 sends its ClientHello as 1 byte, then the rest 50 ms later');
  const secure = tls.connect({ socket: wire, ...trusting('localhost') });
  const error = await new Promise<Error | undefined>((resolve) => {
    secure.once('secureConnect', () => resolve(undefined));
    secure.once('error', resolve);
    setTimeout(() => resolve(new Error('no handshake within 2 s')), 2000);
  });
  secure.destroy();
  raw.destroy();
  check(error === undefined, {
    message: `Expected a TLS handshake when the ClientHello's first byte arrives alone, received ${error?.message.split('\n')[0]}.`,
    why: 'TCP may deliver the first byte alone. Only the first byte tells TLS (22) from plain HTTP, and every byte read, that one included, must reach the TLS server.',
    spec: 'RFC 8446 §5.1',
    hint: "Decide on chunk[0] only; socket.unshift(chunk) puts what you read back before tlsServer.emit('connection', socket).",
  });
});
/** Resolves once the program has read the byte just sent (at most 2 s); 50 ms where that cannot be told. */
async function firstByteRead(clientPort: number, serverPort: number): Promise<void> {
  const deadline = performance.now() + 2000;
  for (;;) {
    const read = peerHasRead(clientPort, serverPort);
    if (read === undefined) return void (await delay(50));
    if (read || performance.now() > deadline) return;
    await delay(5);
  }
}

/** The subjectAltName of the certificate the program presented to a client asking for `servername`. */
async function presentedNames(
  server: { connectTls(options: tls.ConnectionOptions): Promise<{ socket: unknown; destroy(): void }> },
  servername: string | undefined,
): Promise<string> {
  const client = await server.connectTls(trusting(servername));
  const names = (client.socket as tls.TLSSocket).getPeerCertificate().subjectaltname ?? '(none)';
  client.destroy();
  return names;
}

test.concurrent('presents the certificate for the name the client asks for (SNI)', async ({ server }) => {
  for (const [servername, wanted] of [
    ['localhost', 'DNS:localhost'],
    ['chat.app.test', 'DNS:*.app.test'],
    ['app.test', 'DNS:app.test'],
  ] as const) {
    const names = await presentedNames(server, servername);
    check(names.includes(wanted), {
      message: `Expected the certificate for "${servername}" (names ${wanted}), received one for ${names}.`,
      why: 'The client names the host it wants in the ClientHello (SNI) because one address serves many names; the server must answer with a certificate for that name, or the client refuses it.',
      spec: 'RFC 6066 §3; Node docs: tls.createServer SNICallback',
      hint: "In SNICallback(servername, done), pick the context whose certificate covers the name (X509Certificate's checkHost matches wildcards as clients do).",
    });
  }
});

test.concurrent('presents the first certificate to a client that sends no name', async ({ server }) => {
  // Connecting to 127.0.0.1 with no servername: an IP address is never sent as SNI.
  const names = await presentedNames(server, undefined);
  check(names.includes('IP Address:127.0.0.1'), {
    message: `Expected the first certificate (localhost, IP 127.0.0.1) for a client that sends no server name, received one for ${names}.`,
    why: 'RFC 6066 §3 forbids IP addresses in server_name, so a client of https://127.0.0.1/ sends none: it gets the default certificate, the first one given.',
    hint: 'Give tls.createServer the first pair as cert and key, and let SNICallback fall back to it.',
  });
});

/** How long a handshake may take before the check gives up on it (the first after a start, on a loaded machine, can take seconds). */
const HANDSHAKE_WAIT_MS = 5000;

/**
 * Tries a handshake; resolves with the TLS error that ended it, or undefined when it completed. A
 * program that answers nothing within HANDSHAKE_WAIT_MS fails the check here: silence is not a
 * refusal, and counting it as one would let a program that hangs pass "refuses TLS 1.1".
 */
function handshake(port: number, options: tls.ConnectionOptions, what: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options });
    const timer = setTimeout(() => {
      socket.destroy();
      try {
        check(false, {
          message: `Expected ${what} to be completed or refused, received no answer within ${HANDSHAKE_WAIT_MS / 1000} s.`,
          why: 'A server answers every ClientHello: with its own hello when it can agree on a version and a cipher, with an alert that ends the handshake when it cannot.',
          spec: 'RFC 8446 §4.1.1, §6.2',
          hint: "Let tls.createServer do the handshake: hand it the socket (with its first bytes put back) and don't hold it back.",
        });
      } catch (error) {
        reject(error);
      }
    }, HANDSHAKE_WAIT_MS);
    socket.once('secureConnect', () => (clearTimeout(timer), socket.destroy(), resolve(undefined)));
    socket.once('error', (error) => (clearTimeout(timer), resolve(error)));
  });
}

test.concurrent('refuses TLS 1.1 and accepts TLS 1.2', async ({ server }) => {
  // SECLEVEL=0 lets this client's OpenSSL offer TLS 1.1 at all (OpenSSL 3 refuses it at level 1).
  const old = await handshake(
    server.port,
    { ...trusting('localhost'), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
    'the handshake of a TLS 1.1 client',
  );
  server.transcript.note(`a TLS 1.0–1.1 client: ${old ? old.code : 'handshake completed'}`);
  check(old !== undefined, {
    message: 'Expected the handshake of a client that speaks TLS 1.1 at most to fail, received a completed handshake.',
    why: 'TLS 1.0 and 1.1 are deprecated: their handshakes rest on MD5 and SHA-1, and servers must not negotiate them.',
    spec: 'RFC 8996 §5',
    hint: "Give tls.createServer minVersion: 'TLSv1.2' (and leave ciphers at Node's default).",
  });
  const twelve = await handshake(server.port, { ...trusting('localhost'), maxVersion: 'TLSv1.2' }, 'the handshake of a TLS 1.2 client');
  check(twelve === undefined, {
    message: `Expected a TLS 1.2 client's handshake to complete, received ${twelve?.code ?? twelve?.message}.`,
    why: 'TLS 1.2 is still what many clients and libraries speak (RFC 9325 §3.1.1: servers should support it).',
    hint: "minVersion: 'TLSv1.2', not 'TLSv1.3'.",
  });
});

test.concurrent('survives failed handshakes and serves the next client', async ({ server }) => {
  // A client that does not trust the certificate, a record of garbage, and a client cut mid-handshake.
  await handshake(server.port, { servername: 'localhost', rejectUnauthorized: true }, 'the handshake of a client that does not trust the certificate');
  const garbage = await server.connect('garbage');
  await garbage.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x08, 0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0x82, 0x83]));
  await garbage.expectClose({ by: 'any', why: 'A record that is no ClientHello is a failed handshake: the server sends an alert and closes.' });
  // The first 9 bytes of a ClientHello, then a reset: the handshake fails with ECONNRESET.
  const cut = await server.connect('cut');
  await cut.send(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]));
  cut.reset();
  const client = await server.connectTls(trusting('localhost'));
  await client.send(request({ target: '/' }));
  checkStatus(await readResponse(client, { what: 'the response after three failed handshakes' }), 200, {
    why: "Any client can fail a handshake on purpose; 'tlsClientError' is where the server hears of it. Log it and go on.",
    hint: "server.on('tlsClientError', (error, socket) => console.log(…)); never throw from it.",
  });
});

test.concurrent('sends Strict-Transport-Security with every HTTPS response', async ({ server }) => {
  const client = await server.connectTls(trusting('localhost'));
  for (const target of ['/', '/nothing-here']) {
    await client.send(request({ target }));
    const response = await readResponse(client, { what: `the response to GET ${target} over HTTPS` });
    checkHeader(response, 'Strict-Transport-Security', /^max-age=[1-9][0-9]*\s*(;|$)/, {
      why: 'HSTS tells a browser to use only https:// for this host for max-age seconds, so that a later http:// link or typed address cannot be intercepted in the clear. Every response, errors too: any of them may be the one the browser sees first.',
      spec: 'RFC 6797 §6.1, §7.1',
      hint: 'Add the field in the function that decorates every response sent over TLS.',
    });
  }
});

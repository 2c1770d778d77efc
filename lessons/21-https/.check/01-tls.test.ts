import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { check, readResponse, request, serverTest, checkStatus, toBuffer, importLessonModule } from '#harness/testing/index.ts';
import { args, certs, trusting } from './setup.ts';

const test = serverTest('https', { args });

interface Identity {
  certificate: X509Certificate;
  context: tls.SecureContext;
}

interface TlsServerModule {
  identityFor(identities: Identity[], servername: string): Identity;
}

// First, without the program: the choice SNICallback makes, on this run's two certificates. (It
// fails at once on a program that has not begun, while the program still starts.)
test('identityFor picks the first certificate that covers the name, wildcards as clients match them, else the first', async () => {
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

test('answers GET / over TLS, with HTTP/1.1 agreed by ALPN', async ({ server }) => {
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

test('keeps a TLS connection alive for a second request', async ({ server }) => {
  const client = await server.connectTls(trusting('localhost'));
  for (const target of ['/', '/chat.js']) {
    await client.send(request({ target }));
    checkStatus(await readResponse(client, { what: `the response to GET ${target}` }), 200, {
      why: 'HTTP/1.1 keeps a connection open between requests (RFC 9112 §9.3); over TLS that saves a whole handshake each time.',
    });
  }
});

test('takes a chunked upload over TLS', async ({ server }) => {
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

test('answers a client that half-closes after its request', async ({ server }) => {
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

test('serves a ClientHello whose first byte arrives alone', async ({ server }) => {
  // The TLS client writes through a Duplex of ours (not a net.Socket, so node:tls really calls
  // its write): the first write, the ClientHello, goes out as its first byte, then the rest 50 ms
  // later, as separate TCP segments.
  const raw = net.connect({ host: '127.0.0.1', port: server.port });
  await new Promise((resolve, reject) => raw.once('connect', resolve).once('error', reject));
  raw.setNoDelay(true);
  let first = true;
  const wire = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      if (!first) return void raw.write(chunk, done);
      first = false;
      raw.write(chunk.subarray(0, 1));
      setTimeout(() => raw.write(chunk.subarray(1), done), 50);
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

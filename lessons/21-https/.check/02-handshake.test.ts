import tls from 'node:tls';
import { check, readResponse, request, serverTest, checkStatus } from '#harness/testing/index.ts';
import { args, HANDSHAKE_TIMEOUT_MS, trusting } from './setup.ts';

const test = serverTest('https', { args });

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

test('presents the certificate for the name the client asks for (SNI)', async ({ server }) => {
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

test('presents the first certificate to a client that sends no name', async ({ server }) => {
  // Connecting to 127.0.0.1 with no servername: an IP address is never sent as SNI.
  const names = await presentedNames(server, undefined);
  check(names.includes('IP Address:127.0.0.1'), {
    message: `Expected the first certificate (localhost, IP 127.0.0.1) for a client that sends no server name, received one for ${names}.`,
    why: 'RFC 6066 §3 forbids IP addresses in server_name, so a client of https://127.0.0.1/ sends none: it gets the default certificate, the first one given.',
    hint: 'Give tls.createServer the first pair as cert and key, and let SNICallback fall back to it.',
  });
});

/** Tries a handshake; resolves with the TLS error, or undefined when it completed. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options });
    const timer = setTimeout(() => (socket.destroy(), resolve(Object.assign(new Error('no answer within 2 s'), { code: 'TIMEOUT' }))), 2000);
    socket.once('secureConnect', () => (clearTimeout(timer), socket.destroy(), resolve(undefined)));
    socket.once('error', (error) => (clearTimeout(timer), resolve(error)));
  });
}

test('refuses TLS 1.1 and accepts TLS 1.2', async ({ server }) => {
  // SECLEVEL=0 lets this client's OpenSSL offer TLS 1.1 at all (OpenSSL 3 refuses it at level 1).
  const old = await handshake(server.port, { ...trusting('localhost'), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  server.transcript.note(`a TLS 1.0–1.1 client: ${old ? old.code : 'handshake completed'}`);
  check(old !== undefined, {
    message: 'Expected the handshake of a client that speaks TLS 1.1 at most to fail, received a completed handshake.',
    why: 'TLS 1.0 and 1.1 are deprecated: their handshakes rest on MD5 and SHA-1, and servers must not negotiate them.',
    spec: 'RFC 8996 §5',
    hint: "Give tls.createServer minVersion: 'TLSv1.2' (and leave ciphers at Node's default).",
  });
  const twelve = await handshake(server.port, { ...trusting('localhost'), maxVersion: 'TLSv1.2' });
  check(twelve === undefined, {
    message: `Expected a TLS 1.2 client's handshake to complete, received ${twelve?.code ?? twelve?.message}.`,
    why: 'TLS 1.2 is still what many clients and libraries speak (RFC 9325 §3.1.1: servers should support it).',
    hint: "minVersion: 'TLSv1.2', not 'TLSv1.3'.",
  });
});

test('survives failed handshakes and serves the next client', async ({ server }) => {
  // A client that does not trust the certificate, a record of garbage, and a client cut mid-handshake.
  await handshake(server.port, { servername: 'localhost', rejectUnauthorized: true });
  const garbage = await server.connect('garbage');
  await garbage.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x08, 0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0x82, 0x83]));
  await garbage.expectClose({ by: 'any', why: 'A record that is no ClientHello is a failed handshake: the server sends an alert and closes.' });
  const client = await server.connectTls(trusting('localhost'));
  await client.send(request({ target: '/' }));
  checkStatus(await readResponse(client, { what: 'the response after three failed handshakes' }), 200, {
    why: "Any client can fail a handshake on purpose; 'tlsClientError' is where the server hears of it. Log it and go on.",
    hint: "server.on('tlsClientError', (error, socket) => console.log(…)); never throw from it.",
  });
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

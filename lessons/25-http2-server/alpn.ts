// http2-server: the TLS port agrees on HTTP/2. The TLS server is lesson 21's (certificates by SNI,
// TLS 1.2 at least, a handshake deadline, failed handshakes logged), now offering h2 by ALPN
// beside http/1.1; and HTTP/2 holds TLS to a higher bar than HTTP/1.1 does (RFC 9113 §9.2), which
// the server checks on each connection that agreed on h2 before it speaks HTTP/2 on it.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import { identityFor, type KeyPair, type TlsServerOptions } from '../21-https/tls-server.ts';

/**
 * RFC 7301 §3.2, RFC 9113 §3.2: the application protocols this port speaks, the one it prefers
 * first. The server chooses: OpenSSL takes the first of these that the client offered, whatever
 * the client's order. A client that offers neither gets the alert no_application_protocol; a
 * client that offers nothing gets no protocol (alpnProtocol false) and speaks HTTP/1.1.
 */
// TODO: offer HTTP/2 too, preferred: the order is the server's preference.
export const ALPN_PROTOCOLS = ['http/1.1'];

/**
 * The TLS server of the TLS port, as lesson 21 sets it up but with ALPN_PROTOCOLS: each
 * connection is handed to `serve` once its handshake is done, whatever protocol it agreed on.
 */
export function createH2TlsServer(pairs: KeyPair[], options: TlsServerOptions, serve: (socket: tls.TLSSocket) => void): tls.Server {
  const identities = pairs.map(({ cert, key }) => {
    const pem = fs.readFileSync(cert);
    return { certificate: new X509Certificate(pem), context: tls.createSecureContext({ cert: pem, key: fs.readFileSync(key) }) };
  });
  const server = tls.createServer(
    {
      // RFC 9113 §9.2: HTTP/2 over TLS needs TLS 1.2 or later; RFC 8996 retired 1.0 and 1.1 anyway.
      minVersion: 'TLSv1.2',
      ALPNProtocols: ALPN_PROTOCOLS,
      cert: fs.readFileSync(pairs[0]!.cert),
      key: fs.readFileSync(pairs[0]!.key),
      SNICallback: (servername, done) => done(null, identityFor(identities, servername).context),
      handshakeTimeout: options.handshakeTimeoutMs,
    },
    serve,
  );
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    console.log(`${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}: TLS handshake failed: ${error.code ?? error.message}`);
    socket.destroy();
  });
  return server;
}

/**
 * Why a connection that agreed on h2 may not speak HTTP/2, or undefined when it may (RFC 9113
 * §9.2). TLS 1.3: every cipher suite it has is fine. TLS 1.2: the cipher suite must use an
 * ephemeral key exchange (ECDHE or DHE, §9.2.2) and an AEAD cipher (GCM, CCM or ChaCha20-Poly1305);
 * the suites of Appendix A, which lack either, are prohibited. OpenSSL picked the suite before
 * anyone could look, so the server finds out here, after the handshake, and answers with
 * INADEQUATE_SECURITY (§9.2.1) instead of HTTP/2.
 */
export function inadequateSecurity(socket: tls.TLSSocket): string | undefined {
  // TODO: TLS 1.3 is fine; TLS 1.2 only with an ephemeral key exchange and an AEAD cipher (the
  // suite's IANA name is socket.getCipher().standardName); say why otherwise.
  void socket;
  return undefined;
}

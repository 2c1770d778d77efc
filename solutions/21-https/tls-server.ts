// https: node:tls in front of the server. The TLS server does the cryptography (OpenSSL); your
// part is how it is set up: which protocol versions, which application protocol (ALPN), which
// certificate for which name (SNI), how long a handshake may take, and what a failed handshake
// does to the process (nothing: it is logged).

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';

/** A certificate and its private key, as PEM files. */
export interface KeyPair {
  cert: string;
  key: string;
}

export interface TlsServerOptions {
  /** A handshake not finished this long after the connection arrived is cut. */
  handshakeTimeoutMs: number;
}

/** One certificate the server can present, with what it is for. */
interface Identity {
  certificate: X509Certificate;
  context: tls.SecureContext;
}

/** Reads each pair and makes its secure context (the certificate chain and key OpenSSL holds). */
function loadIdentities(pairs: KeyPair[]): Identity[] {
  return pairs.map(({ cert, key }) => {
    const pem = fs.readFileSync(cert);
    return { certificate: new X509Certificate(pem), context: tls.createSecureContext({ cert: pem, key: fs.readFileSync(key) }) };
  });
}

/**
 * The identity for a server name: the first whose certificate covers the name (its
 * subjectAltName, wildcards as clients match them: RFC 6125 §6.4), else the first one, for
 * clients that send no name (an IP address is never sent as SNI, RFC 6066 §3) or one we lack.
 */
export function identityFor(identities: Identity[], servername: string): Identity {
  return identities.find(({ certificate }) => certificate.checkHost(servername) !== undefined) ?? identities[0]!;
}

/** A TLS server for HTTP/1.1 that hands each connection, once its handshake is done, to `serve`. */
export function createTlsServer(pairs: KeyPair[], options: TlsServerOptions, serve: (socket: tls.TLSSocket) => void): tls.Server {
  const identities = loadIdentities(pairs);
  const server = tls.createServer(
    {
      // TLS 1.0 and 1.1 are deprecated (RFC 8996). Node's default minimum is TLS 1.2 already, but
      // --tls-min-v1.0 (in NODE_OPTIONS, say) lowers the default; this line does not move.
      minVersion: 'TLSv1.2',
      // RFC 7301: the application protocol is agreed in the handshake. This server speaks HTTP/1.1
      // only; h2 joins the list when the server speaks HTTP/2 (Part 8). A client that offers only
      // protocols we lack gets the alert no_application_protocol.
      ALPNProtocols: ['http/1.1'],
      // The certificate for clients that send no name; SNICallback picks for those that do.
      cert: fs.readFileSync(pairs[0]!.cert),
      key: fs.readFileSync(pairs[0]!.key),
      SNICallback: (servername, done) => done(null, identityFor(identities, servername).context),
      // A client that starts a handshake and stalls holds a socket and memory until this cuts it
      // (then 'tlsClientError' with ERR_TLS_HANDSHAKE_TIMEOUT). Its clock starts when this server
      // is given the socket: after the first byte here, so the TLS port has a deadline of its own.
      handshakeTimeout: options.handshakeTimeoutMs,
    },
    serve,
  );
  // A failed handshake (a wrong version, a client that does not trust us, a timeout, garbage) is
  // the client's doing: log it and go on. With a listener here Node leaves the socket to it —
  // it is not closed, not even after the handshake timeout — so destroy it. A listener that
  // throws kills the process: any client could then stop the server.
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    console.log(`${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}: TLS handshake failed: ${error.code ?? error.message}`);
    socket.destroy();
  });
  return server;
}

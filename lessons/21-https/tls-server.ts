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
  // TODO: the first identity whose certificate covers `servername` (certificate.checkHost), else
  // the first one.
  void servername;
  return identities[0]!;
}

/** A TLS server for HTTP/1.1 that hands each connection, once its handshake is done, to `serve`. */
export function createTlsServer(pairs: KeyPair[], options: TlsServerOptions, serve: (socket: tls.TLSSocket) => void): tls.Server {
  const identities = loadIdentities(pairs);
  const server = tls.createServer(
    {
      // TODO: the versions this server accepts (TLS 1.2 and up), the application protocol it
      // speaks (ALPN), a certificate per name (SNICallback with identityFor), and a handshake
      // deadline.
      cert: fs.readFileSync(pairs[0]!.cert),
      key: fs.readFileSync(pairs[0]!.key),
    },
    serve,
  );
  void identities;
  void options;
  // TODO: a failed handshake is logged (and its socket closed), never a crash: 'tlsClientError'.
  return server;
}

// The program's arguments for every check file: a throw-away CA and its two server certificates
// (localhost/127.0.0.1 first, app.test/*.app.test second), a plain-HTTP port, and a handshake
// deadline.

import { certificateArgs, freePort, throwawayCertificates } from '#harness/testing/index.ts';

export const certs = throwawayCertificates();
export const httpPort = await freePort();

/**
 * The program's arguments with a handshake deadline of `handshakeTimeoutMs`. The TLS checks
 * (01-tls) give it 10 s: a deadline there only has to stay out of the way of handshakes on a
 * loaded machine. The deadline checks (02-plain-http) give it a short one, so as to wait for it.
 */
export const argsWith = (handshakeTimeoutMs: number) => [
  ...certificateArgs(certs),
  '--http-port',
  String(httpPort),
  '--handshake-timeout',
  String(handshakeTimeoutMs),
];

/** What a client trusts: only this run's CA. */
export const trusting = (servername?: string) => ({ ca: certs.caPem, servername, ALPNProtocols: ['http/1.1'] });

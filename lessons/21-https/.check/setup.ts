// The program's arguments for every check file: a throw-away CA and its two server certificates
// (localhost/127.0.0.1 first, app.test/*.app.test second), a plain-HTTP port, and a handshake
// deadline short enough to wait for.

import { certificateArgs, freePort, throwawayCertificates } from '#harness/testing/index.ts';

export const certs = throwawayCertificates();
export const httpPort = await freePort();
export const HANDSHAKE_TIMEOUT_MS = 1000;
export const args = [...certificateArgs(certs), '--http-port', String(httpPort), '--handshake-timeout', String(HANDSHAKE_TIMEOUT_MS)];

/** What a client trusts: only this run's CA. */
export const trusting = (servername?: string) => ({ ca: certs.caPem, servername, ALPNProtocols: ['http/1.1'] });

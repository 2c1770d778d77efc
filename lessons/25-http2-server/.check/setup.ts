// The program's arguments for the check files: a throw-away CA and its two server certificates
// (localhost/127.0.0.1 first, app.test second), a cleartext HTTP/2 port, and a handshake deadline
// short enough to wait for. Each shutdown test starts a program of its own (argsWith).

import { certificateArgs, freePort, throwawayCertificates } from '#harness/testing/index.ts';

export const certs = throwawayCertificates();
export const h2cPort = await freePort();
export const args = argsWith(h2cPort);

/** The arguments with a given --h2c-port (and more after them). */
export function argsWith(port: number, ...more: string[]): string[] {
  return [...certificateArgs(certs), '--h2c-port', String(port), '--handshake-timeout', '1000', ...more];
}

/** What a TLS client trusts: only this run's CA, for the name localhost. */
export const trusting = (ALPNProtocols?: string[]) => ({ ca: certs.caPem, servername: 'localhost', ...(ALPNProtocols ? { ALPNProtocols } : {}) });

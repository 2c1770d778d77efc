// Certificates for the TLS lessons' checks: a throw-away certificate authority and server
// certificates per run, made by the same code as the learner's development certificates
// (harness/dev-certificates.ts), in a temporary folder removed when the run ends.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevCertificates, type DevCertificates } from '../dev-certificates.ts';

export { certificateArgs, type DevCertificates } from '../dev-certificates.ts';

/** A fresh CA and server certificates (localhost/127.0.0.1, app.test/*.app.test) for this run. */
export function throwawayCertificates(): DevCertificates & { caPem: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-tls-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const set = ensureDevCertificates(dir);
  return { ...set, caPem: fs.readFileSync(set.ca) };
}

// Certificates for the TLS lessons' checks: a throw-away certificate authority and server
// certificates, made by the same code as the learner's development certificates
// (harness/dev-certificates.ts), in a temporary folder.
//
// A check session names one folder for all its runs (TLS_DIR_ENV, check/session.ts), made by
// the first check file that asks and removed when the session closes: openssl takes 100–150 ms
// per set, and a served check would otherwise pay that in every file of every run. Outside a
// session (a test file run by hand), each process makes its own.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevCertificates, type DevCertificates } from '../dev-certificates.ts';

export { certificateArgs, type DevCertificates } from '../dev-certificates.ts';

/** The environment variable that names the session's folder of throw-away certificates. */
export const TLS_DIR_ENV = 'LEARN_TLS_DIR';

/** A throw-away CA and server certificates (localhost/127.0.0.1, app.test/*.app.test). */
export function throwawayCertificates(): DevCertificates & { caPem: Buffer } {
  const shared = process.env[TLS_DIR_ENV];
  const set = shared ? sharedSet(shared) : ensureDevCertificates(ownFolder());
  return { ...set, caPem: fs.readFileSync(set.ca) };
}

function ownFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-tls-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The set in the session's folder, made now if it is not there yet. The two files that start at
 * once may both get here first: each makes a set in a folder of its own and renames it into place,
 * which only one rename can do (the folder then exists and is not empty); the other file uses that
 * one and removes its own. So no file ever reads a set half written.
 */
function sharedSet(dir: string): DevCertificates {
  if (!fs.existsSync(dir)) {
    const made = fs.mkdtempSync(`${dir}-`);
    ensureDevCertificates(made);
    try {
      fs.renameSync(made, dir);
    } catch (error) {
      fs.rmSync(made, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw error;
    }
  }
  // Valid for 397 days: read as it is, never made again in place.
  return ensureDevCertificates(dir);
}

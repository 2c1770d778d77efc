// Development certificates for the TLS lessons: a local certificate authority (CA) and two server
// certificates it signs, made with the platform's `openssl` command (no X.509 written by hand, no
// npm dependency). `learn run https` keeps a set under .learn/tls/, reused while valid; the checks
// make a throw-away set per run in a temporary folder, with the same code.
//
// Why a CA and not self-signed server certificates: a client is given one file to trust (the CA),
// and every certificate it signs — one per name, made again when they expire — is trusted with it,
// the way a real CA's are. The CA's key never leaves the folder; anyone who has it can make a
// certificate your machine trusts for any name, so trust it only in what you use for development.

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** One server certificate: the names it is for, and its files (PEM). */
export interface ServerCertificate {
  /** Subject alternative names, as openssl writes them (`DNS:localhost`, `IP:127.0.0.1`). */
  names: string[];
  cert: string;
  key: string;
}

export interface DevCertificates {
  dir: string;
  /** The CA's certificate: what a client trusts (curl --cacert, Python cafile, a browser's store). */
  ca: string;
  /** localhost and 127.0.0.1 first (a client that sends no name gets it), then the .test names. */
  servers: ServerCertificate[];
}

/**
 * The names of the two server certificates. A wildcard needs a label besides the top-level one:
 * `*.test` alone is refused by Node's checkServerIdentity and by browsers (RFC 6125 §7.2 leaves it
 * to clients, and they all refuse wildcards that span a whole top-level domain), so the second
 * certificate is for app.test and everything one label under it.
 */
export const SERVER_NAMES: ReadonlyArray<{ file: string; subject: string; names: string[] }> = [
  { file: 'localhost', subject: 'localhost', names: ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'] },
  { file: 'app.test', subject: 'app.test', names: ['DNS:app.test', 'DNS:*.app.test'] },
];

/** Days a server certificate is valid: under the 398 days browsers accept for a leaf certificate. */
const SERVER_DAYS = 397;
const CA_DAYS = 3650;
/** Made again when it expires within this long, not in the middle of a session. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

export class OpensslMissingError extends Error {
  constructor() {
    super(
      'The development certificates are made with the `openssl` command, and it was not found on PATH. ' +
        'Install it (Debian/Ubuntu: sudo apt install openssl; Fedora: sudo dnf install openssl; macOS: it ships with the system, or brew install openssl), ' +
        'or give the server your own certificate with --cert FILE --key FILE.',
    );
  }
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new OpensslMissingError();
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(`openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/** True when the PEM file exists and stays valid for more than a day. */
function stillValid(file: string, now: number): boolean {
  try {
    const cert = new X509Certificate(fs.readFileSync(file));
    return Date.parse(cert.validTo) - now > RENEW_BEFORE_MS && Date.parse(cert.validFrom) <= now;
  } catch {
    return false;
  }
}

/** A new P-256 key and a request for `subject`, signed by the CA with the given extensions. */
function issue(dir: string, file: string, subject: string, extensions: string[]): void {
  const extFile = `${file}.ext`;
  fs.writeFileSync(path.join(dir, extFile), `${extensions.join('\n')}\n`);
  const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-new', ...keyArgs, '-keyout', `${file}-key.pem`, '-out', `${file}.csr`, '-subj', `/CN=${subject}`], dir);
  const serial = `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('hex')}`;
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${file}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-set_serial',
      serial,
      '-days',
      String(SERVER_DAYS),
      '-out',
      `${file}.pem`,
      '-extfile',
      extFile,
    ],
    dir,
  );
  fs.rmSync(path.join(dir, `${file}.csr`));
  fs.rmSync(path.join(dir, extFile));
}

/**
 * The CA and server certificates in `dir`: those already there while they are valid, new ones
 * otherwise (a new CA makes new server certificates too). Throws OpensslMissingError without
 * openssl.
 */
export function ensureDevCertificates(dir: string, now = Date.now()): DevCertificates {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = path.join(dir, 'ca.pem');
  let newCa = false;
  if (!stillValid(ca, now) || !fs.existsSync(path.join(dir, 'ca-key.pem'))) {
    // basicConstraints CA:TRUE and keyUsage keyCertSign: what makes a certificate a CA (RFC 5280 §4.2.1.9, §4.2.1.3).
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'ca-key.pem',
        '-out',
        'ca.pem',
        '-days',
        String(CA_DAYS),
        '-subj',
        '/CN=Networking From Scratch development CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    newCa = true;
  }
  const servers = SERVER_NAMES.map(({ file, subject, names }) => {
    const cert = path.join(dir, `${file}.pem`);
    const key = path.join(dir, `${file}-key.pem`);
    if (newCa || !stillValid(cert, now) || !fs.existsSync(key)) {
      // A server certificate: its names in subjectAltName (clients ignore the CN, RFC 6125 §6.4.4),
      // not a CA, and for server authentication only.
      issue(dir, file, subject, [
        `subjectAltName=${names.join(',')}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
      ]);
    }
    return { names, cert, key };
  });
  return { dir, ca, servers };
}

/** The server's arguments for a set: `--cert` and `--key` for each certificate, in order. */
export function certificateArgs(set: DevCertificates): string[] {
  return set.servers.flatMap((server) => ['--cert', server.cert, '--key', server.key]);
}

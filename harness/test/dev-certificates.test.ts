// The development certificates (harness/dev-certificates.ts): made with openssl, reused while
// valid, made again when a file is missing or expires, and a clear error without openssl. And the
// checks' throw-away set (testing/tls.ts): one per check session, whoever asks first.

import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ensureDevCertificates, OpensslMissingError } from '../dev-certificates.ts';
import { repoRoot } from '../paths.ts';
import { TLS_DIR_ENV } from '../testing/tls.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-dev-certs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('makes a CA and two server certificates it signed, for the names the server needs', () => {
  const set = ensureDevCertificates(dir);
  const ca = new X509Certificate(fs.readFileSync(set.ca));
  expect(ca.ca).toBe(true);
  const [local, app] = set.servers.map((server) => new X509Certificate(fs.readFileSync(server.cert)));
  expect(local!.checkIssued(ca) && local!.verify(ca.publicKey)).toBe(true);
  expect(local!.checkHost('localhost')).toBe('localhost');
  expect(local!.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(app!.checkHost('chat.app.test')).toBe('*.app.test'); // the name in the certificate that matched
  expect(app!.checkHost('localhost')).toBeUndefined();
  expect(local!.ca).toBe(false);
});

test('reuses what is valid, and makes again what is missing or about to expire', () => {
  const first = ensureDevCertificates(dir);
  const caBefore = fs.readFileSync(first.ca, 'utf8');
  const appBefore = fs.readFileSync(first.servers[1]!.cert, 'utf8');
  fs.rmSync(first.servers[0]!.cert);
  const again = ensureDevCertificates(dir);
  expect(fs.readFileSync(again.ca, 'utf8')).toBe(caBefore);
  expect(fs.readFileSync(again.servers[1]!.cert, 'utf8')).toBe(appBefore);
  expect(fs.existsSync(again.servers[0]!.cert)).toBe(true);
  // 400 days on, the server certificates have expired: all is made again.
  const later = ensureDevCertificates(dir, Date.now() + 400 * 24 * 3600 * 1000);
  expect(fs.readFileSync(later.servers[1]!.cert, 'utf8')).not.toBe(appBefore);
});

test('says what to install when openssl is missing', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-no-openssl-'));
  const saved = process.env.PATH;
  process.env.PATH = empty;
  try {
    expect(() => ensureDevCertificates(path.join(empty, 'tls'))).toThrow(OpensslMissingError);
    expect(() => ensureDevCertificates(path.join(empty, 'tls'))).toThrow(/apt install openssl/);
  } finally {
    process.env.PATH = saved;
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test("a session's throw-away set: the check files that ask at once get the same one, whole, and no other folder is left", async () => {
  const shared = path.join(dir, 'session-set');
  // Three processes, as the two files of a run (and a third) start at once: each may make a set,
  // and only one is renamed into place.
  const script = `import { throwawayCertificates } from './harness/testing/tls.ts';
    const set = throwawayCertificates();
    console.log(JSON.stringify({ ca: set.caPem.toString(), dir: set.dir }));`;
  const ask = () =>
    new Promise<{ ca: string; dir: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, [TLS_DIR_ENV]: shared },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { ca: string; dir: string }) : reject(new Error(`exit ${code}`))));
    });
  const sets = await Promise.all([ask(), ask(), ask()]);
  expect(new Set(sets.map((set) => set.ca)).size).toBe(1);
  expect(sets.every((set) => set.dir === shared)).toBe(true);
  const set = ensureDevCertificates(shared);
  for (const server of set.servers) expect(new X509Certificate(fs.readFileSync(server.cert)).checkIssued(new X509Certificate(sets[0]!.ca))).toBe(true);
  expect(fs.readdirSync(dir).filter((name) => name.startsWith('session-set'))).toEqual(['session-set']);
  // Later files read it as it is.
  expect((await ask()).ca).toBe(sets[0]!.ca);
}, 30_000);

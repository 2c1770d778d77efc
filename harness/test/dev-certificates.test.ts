// The development certificates (harness/dev-certificates.ts): made with openssl, reused while
// valid, made again when a file is missing or expires, and a clear error without openssl.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ensureDevCertificates, OpensslMissingError } from '../dev-certificates.ts';

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

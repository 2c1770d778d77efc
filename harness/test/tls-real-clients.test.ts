// Real TLS clients through the sni-router reference: curl, `openssl s_client`, Node's tls.connect,
// Python's ssl and headless Chromium each complete a handshake with the right backend through the
// router (the certificate they verify is that backend's, for that name) and read that backend's
// reply. The backends are node:https servers in this process with certificates made for this run
// by `openssl req -x509` (Debian: openssl). Loopback only, every run bounded. The browser test may
// be skipped only outside CI (CI installs chromium and openssl: .ci/run, APT_PACKAGES).

import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, haveChromium, launchChromium } from './support/chromium.ts';
import { startReference, type Reference } from './support/reference.ts';

const run = promisify(execFile);
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!haveOpenssl && process.env.CI) throw new Error('openssl is missing: CI must install it (.ci/run, APT_PACKAGES).');
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run, APT_PACKAGES).`);

const NAMES = ['a.test', 'b.test'] as const;
type Name = (typeof NAMES)[number];

interface Backend {
  server: https.Server;
  port: number;
  /** What this backend answers to every request: names it, so a reply tells which backend it came from. */
  reply: string;
}

describe.skipIf(!haveOpenssl)(`TLS clients through the sni-router reference${haveOpenssl ? '' : ' (skipped: openssl is not installed)'}`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-tls-'));
  /** Both self-signed certificates: what every client trusts. */
  const bundle = path.join(dir, 'ca.pem');
  const backends = new Map<Name, Backend>();
  let router: Reference;

  beforeAll(async () => {
    // A self-signed certificate per name, for this run only: each is its own CA.
    for (const name of NAMES) {
      await run(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-keyout',
          path.join(dir, `${name}.key`),
          '-out',
          path.join(dir, `${name}.pem`),
          '-subj',
          `/CN=${name}`,
          '-addext',
          `subjectAltName=DNS:${name}`,
        ],
        { timeout: 20_000 },
      );
    }
    fs.writeFileSync(bundle, NAMES.map((name) => fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8')).join(''));
    for (const name of NAMES) {
      const reply = `hello from the backend of ${name}\n`;
      const server = https.createServer(
        { key: fs.readFileSync(path.join(dir, `${name}.key`)), cert: fs.readFileSync(path.join(dir, `${name}.pem`)) },
        (_request, response) => {
          response.setHeader('Content-Type', 'text/plain');
          response.end(reply);
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      backends.set(name, { server, port: (server.address() as AddressInfo).port, reply });
    }
    router = await startReference('sni-router', {
      args: NAMES.flatMap((name) => ['--route', `${name}=127.0.0.1:${backends.get(name)!.port}`]),
      startTimeoutMs: 15_000,
    });
  }, 60_000);

  afterAll(async () => {
    await router?.program.stop();
    for (const backend of backends.values()) backend.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const request = (name: string) => `GET / HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`;

  test('curl reaches each backend by name (--resolve, --cacert), and gets the alert for a name with no route', async () => {
    for (const name of NAMES) {
      const { stdout } = await run(
        'curl',
        ['-sS', '--max-time', '10', '--cacert', bundle, '--resolve', `${name}:${router.port}:127.0.0.1`, `https://${name}:${router.port}/`],
        { timeout: 15_000 },
      );
      expect(stdout).toBe(backends.get(name)!.reply);
    }
    const refused = await run(
      'curl',
      ['-sS', '--max-time', '10', '--cacert', bundle, '--resolve', `c.test:${router.port}:127.0.0.1`, `https://c.test:${router.port}/`],
      { timeout: 15_000 },
    ).catch((error: { code: number; stderr: string }) => error);
    expect('code' in refused && refused.code).toBe(35); // CURLE_SSL_CONNECT_ERROR
    expect((refused as { stderr: string }).stderr).toMatch(/unrecognized name/);
  });

  test('openssl s_client -servername verifies the right certificate and reads the reply', async () => {
    for (const name of NAMES) {
      const child = execFile(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${router.port}`,
          '-servername',
          name,
          '-CAfile',
          bundle,
          '-verify_return_error',
          '-verify_hostname',
          name,
          '-quiet',
        ],
        { timeout: 15_000 },
      );
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.stdin!.write(request(name));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(out, err).toContain(backends.get(name)!.reply);
      expect(err).toMatch(/verify return:1/);
      expect(code).toBe(0);
    }
  });

  test("Node's tls.connect completes the handshake with the right backend (servername, ALPN) and reads its reply", async () => {
    for (const name of NAMES) {
      const socket = tls.connect({ host: '127.0.0.1', port: router.port, servername: name, ca: fs.readFileSync(bundle), ALPNProtocols: ['h2', 'http/1.1'] });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate().subject.CN).toBe(name);
      expect(socket.alpnProtocol).toBe('http/1.1'); // the backend's choice: the router only read the offer
      socket.write(request(name));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      await new Promise<void>((resolve, reject) => socket.once('end', resolve).once('error', reject));
      expect(Buffer.concat(chunks).toString()).toMatch(new RegExp(`^HTTP/1\\.1 200 OK\\r\\n[\\s\\S]*\\r\\n\\r\\n${backends.get(name)!.reply}$`));
      socket.destroy();
    }
  });

  test("Python's ssl module completes the handshake with the right backend and reads its reply", async () => {
    const script = [
      'import socket, ssl, sys',
      'name, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]',
      'context = ssl.create_default_context(cafile=ca)',
      "context.set_alpn_protocols(['h2', 'http/1.1'])",
      "with socket.create_connection(('127.0.0.1', port), timeout=10) as raw:",
      '    with context.wrap_socket(raw, server_hostname=name) as s:',
      "        s.sendall(f'GET / HTTP/1.1\\r\\nHost: {name}\\r\\nConnection: close\\r\\n\\r\\n'.encode())",
      "        data = b''",
      '        while chunk := s.recv(65536): data += chunk',
      "        print(s.version(), s.getpeercert()['subject'][0][0][1])",
      "        sys.stdout.write(data.decode().split('\\r\\n\\r\\n', 1)[1])",
    ].join('\n');
    for (const name of NAMES) {
      const { stdout } = await run('python3', ['-c', script, name, String(router.port), bundle], { timeout: 20_000 });
      expect(stdout).toBe(`TLSv1.3 ${name}\n${backends.get(name)!.reply}`);
    }
  });

  test.skipIf(!haveChromium)(
    `headless Chromium loads a page from each backend by name through the router${haveChromium ? '' : ' (skipped: /usr/bin/chromium is not installed; apt install chromium)'}`,
    { timeout: 120_000 },
    async () => {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-chromium-'));
      // The names resolve to loopback for this browser only; the certificates are the run's own,
      // so it is told to accept them (what the names and the bodies prove is the routing).
      const context = await launchChromium(profile, ['--host-resolver-rules=MAP a.test 127.0.0.1, MAP b.test 127.0.0.1', '--ignore-certificate-errors']);
      try {
        for (const name of NAMES) {
          const page = await context.newPage();
          const response = await page.goto(`https://${name}:${router.port}/`, { timeout: 20_000 });
          expect(response?.status()).toBe(200);
          expect(await response?.text()).toBe(backends.get(name)!.reply);
          const security = await response?.securityDetails();
          expect(security?.subjectName).toBe(name);
          await page.close();
        }
      } finally {
        await context.close();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  );
});

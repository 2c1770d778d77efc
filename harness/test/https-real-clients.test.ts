// Real TLS clients against the https reference (lesson 21): curl with --cacert (ALPN, keep-alive
// reuse, a chunked upload from stdin, SNI by --resolve), Python's ssl + http.client, the `ws`
// client over wss://, and headless Chromium on the chat's page over https:// talking over wss://.
// Each run makes its own throw-away CA (the code `learn run https` uses). Loopback only, bounded.

import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { certificateArgs, ensureDevCertificates, type DevCertificates } from '../dev-certificates.ts';
import { haveChromium, launchChromium } from './support/chromium.ts';
import { startReference, type Reference } from './support/reference.ts';

let certs: DevCertificates;
let server: Reference;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-https-'));
  certs = ensureDevCertificates(dir);
  server = await startReference('https', { args: certificateArgs(certs), startTimeoutMs: 15_000 });
}, 30_000);
afterAll(async () => {
  await server?.program.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(command: string, args: string[], input?: string) {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return result;
}

describe('curl --cacert', () => {
  test('agrees on http/1.1 by ALPN, reuses the connection, and gets HSTS', () => {
    const base = `https://localhost:${server.port}`;
    const { stdout, stderr, status } = run('curl', [
      '-sv',
      '--cacert',
      certs.ca,
      '-o',
      '/dev/null',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{http_version}\\n',
      `${base}/`,
      `${base}/chat.js`,
    ]);
    expect(status, stderr).toBe(0);
    expect(stdout).toBe('200 1.1\n200 1.1\n');
    expect(stderr).toMatch(/ALPN[:,] server accepted (to use )?http\/1\.1/);
    expect(stderr).toMatch(/Re-using existing connection/);
    expect(stderr).toMatch(/< Strict-Transport-Security: max-age=\d+/i);
  });

  test('uploads chunked from stdin (-T -)', () => {
    const body = 'x'.repeat(100_000);
    const { stdout, stderr, status } = run('curl', ['-sS', '--cacert', certs.ca, '-T', '-', `https://localhost:${server.port}/echo`], body);
    expect(status, stderr).toBe(0);
    expect(stdout).toBe(body);
  });

  test('gets the app.test certificate for chat.app.test (SNI), verified against the CA', () => {
    const { stdout, stderr, status } = run('curl', [
      '-sv',
      '--cacert',
      certs.ca,
      '--resolve',
      `chat.app.test:${server.port}:127.0.0.1`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `https://chat.app.test:${server.port}/`,
    ]);
    expect(status, stderr).toBe(0);
    expect(stdout).toBe('200');
    expect(stderr).toMatch(/subjectAltName: host "chat.app.test" matched cert's "\*\.app\.test"/);
  });
});

test('Python ssl + http.client: verified, ALPN http/1.1, two requests on one connection', () => {
  const script = `
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
ctx.set_alpn_protocols(['h2', 'http/1.1'])
conn = http.client.HTTPSConnection('localhost', int(sys.argv[2]), context=ctx, timeout=10)
for target in ['/', '/chat.js']:
    conn.request('GET', target)
    r = conn.getresponse()
    r.read()
    print(r.status, r.getheader('Strict-Transport-Security'))
print(conn.sock.selected_alpn_protocol(), conn.sock.version())
`;
  const { stdout, stderr, status } = run('python3', ['-c', script, certs.ca, String(server.port)]);
  expect(status, stderr).toBe(0);
  expect(stdout).toBe('200 max-age=86400\n200 max-age=86400\nhttp/1.1 TLSv1.3\n');
});

test('the ws client chats over wss://', async () => {
  const ca = fs.readFileSync(certs.ca);
  const open = (name: string) =>
    new Promise<{ ws: WebSocket; messages: unknown[] }>((resolve, reject) => {
      const ws = new WebSocket(`wss://localhost:${server.port}/chat`, { ca });
      const messages: unknown[] = [];
      ws.on('message', (data) => messages.push(JSON.parse(String(data))));
      ws.once('open', () => (ws.send(JSON.stringify({ type: 'join', name, room: 'tls' })), resolve({ ws, messages })));
      ws.once('error', reject);
    });
  const ann = await open('ann');
  const bob = await open('bob');
  const until = async (messages: unknown[], text: string) => {
    for (let i = 0; i < 100 && !JSON.stringify(messages).includes(text); i++) await new Promise((r) => setTimeout(r, 50));
    expect(JSON.stringify(messages)).toContain(text);
  };
  ann.ws.send(JSON.stringify({ type: 'message', text: 'over TLS 🔒' }));
  await until(bob.messages, 'over TLS 🔒');
  ann.ws.close(1000);
  bob.ws.close(1000);
});

test.skipIf(!haveChromium && !process.env.CI)(
  'Chromium loads the chat page over https:// and two pages talk over wss://',
  async () => {
    // Chromium trusts the server's key by its SPKI hash (no system store to add the CA to).
    const spki = (file: string) =>
      createHash('sha256')
        .update(new X509Certificate(fs.readFileSync(file)).publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-chromium-'));
    const context = await launchChromium(profile, [`--ignore-certificate-errors-spki-list=${spki(certs.servers[0]!.cert)}`]);
    const logs: string[] = [];
    try {
      const join = async (name: string) => {
        const page = await context.newPage();
        page.on('console', (message) => logs.push(message.text()));
        const response = await page.goto(`https://localhost:${server.port}/`);
        expect(response?.status()).toBe(200);
        expect(await response?.headerValue('strict-transport-security')).toBe('max-age=86400');
        await page.fill('input[name=name]', name);
        await page.fill('input[name=room]', 'tls');
        await page.click('#join button');
        await page.waitForSelector('#say:not([hidden])', { timeout: 20_000 }).catch(async (error: Error) => {
          throw new Error(`${error.message}\nstatus: ${await page.textContent('#status')}\nconsole: ${logs.join('\n')}`);
        });
        return page;
      };
      const ann = await join('ann');
      const bob = await join('bob');
      await ann.waitForSelector('#log li:has-text("bob joined")', { timeout: 20_000 });
      await ann.fill('input[name=text]', 'hello over wss');
      await ann.click('#say button');
      await bob.waitForSelector('#log li:has-text("ann: hello over wss")', { timeout: 20_000 });
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  },
  90_000,
);

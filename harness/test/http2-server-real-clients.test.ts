// Real HTTP/2 clients against the http2-server reference (lesson 25): headless Chromium loads the
// site over TLS and every resource comes over h2; curl with --http2 (TLS, ALPN) and
// --http2-prior-knowledge (h2c); Node's http2 client, strict (nghttp2 inside); Python's h2
// (Debian python3-h2) driving the frames itself; nghttp with many concurrent streams. Each run
// makes its own throw-away CA. Loopback only, bounded.

import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certificateArgs, ensureDevCertificates, type DevCertificates } from '../dev-certificates.ts';
import { freePort } from '../process/free-port.ts';
import { haveChromium, launchChromium } from './support/chromium.ts';
import { startReference, type Reference } from './support/reference.ts';

const SITE = fileURLToPath(new URL('../../solutions/16-compression/site/', import.meta.url));
const PYTHON = '/usr/bin/python3';
const have = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).status === 0;
const haveNghttp = have('nghttp', ['--version']);
const havePythonH2 = fs.existsSync(PYTHON) && have(PYTHON, ['-c', 'import h2']);
const inCi = Boolean(process.env.CI);

let certs: DevCertificates;
let server: Reference;
let h2cPort: number;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-h2-'));
  certs = ensureDevCertificates(dir);
  h2cPort = await freePort();
  server = await startReference('http2-server', { args: [...certificateArgs(certs), '--h2c-port', String(h2cPort)], startTimeoutMs: 15_000 });
}, 30_000);
afterAll(async () => {
  await server?.program.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const file = (name: string) => fs.readFileSync(path.join(SITE, name));
const tlsBase = () => `https://localhost:${server.port}`;
const h2cBase = () => `http://127.0.0.1:${h2cPort}`;

function run(command: string, args: string[], input?: string | Buffer) {
  const result = spawnSync(command, args, { input, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() };
}

describe('curl', () => {
  test('--http2 over TLS agrees on h2 by ALPN and gets the file byte for byte, with HSTS', () => {
    const { stdout, stderr, status } = run('curl', ['-sv', '--http2', '--cacert', certs.ca, `${tlsBase()}/alphabet.txt`]);
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(/ALPN[:,] server accepted (to use )?h2/);
    expect(stderr).toMatch(/< HTTP\/2 200/);
    expect(stderr).toMatch(/< strict-transport-security: max-age=\d+/);
    expect(Buffer.compare(stdout, file('alphabet.txt'))).toBe(0);
  });

  test('--http2 --compressed: br in DATA frames, no transfer-encoding, decoded to the file', () => {
    const { stdout, stderr, status } = run('curl', ['-sv', '--http2', '--compressed', '--cacert', certs.ca, `${tlsBase()}/page.js`]);
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(/< content-encoding: br/);
    expect(stderr).not.toMatch(/< transfer-encoding/i);
    expect(Buffer.compare(stdout, file('page.js'))).toBe(0);
  });

  test('--http1.1 on the same port gets the same bytes over HTTP/1.1', () => {
    const { stdout, stderr, status } = run('curl', ['-sv', '--http1.1', '--cacert', certs.ca, `${tlsBase()}/alphabet.txt`]);
    expect(status, stderr).toBe(0);
    expect(stderr).toMatch(/ALPN[:,] server accepted (to use )?http\/1\.1/);
    expect(Buffer.compare(stdout, file('alphabet.txt'))).toBe(0);
  });

  test('--http2-prior-knowledge on the h2c port: a range and an upload', () => {
    const range = run('curl', ['-s', '--http2-prior-knowledge', '-r', '100-199', '-w', '\\n%{http_code} %{http_version}', `${h2cBase()}/alphabet.txt`]);
    expect(range.status, range.stderr).toBe(0);
    expect(range.stdout.toString('latin1')).toBe(`${file('alphabet.txt').subarray(100, 200).toString('latin1')}\n206 2`);
    const body = Buffer.alloc(300_000, 0xc3);
    const upload = run('curl', ['-s', '--http2-prior-knowledge', '--data-binary', '@-', `${h2cBase()}/echo`], body);
    expect(upload.status, upload.stderr).toBe(0);
    expect(Buffer.compare(upload.stdout, body)).toBe(0);
  });
});

test("Node's http2 client (strict): 30 streams at once on one TLS connection, every body the file's", async () => {
  const session = http2.connect(tlsBase(), { ca: fs.readFileSync(certs.ca) });
  session.on('error', () => {});
  const names = ['index.html', 'style.css', 'page.js', 'logo.svg', 'images/grid.png', 'images/noise.png'];
  const get = (name: string) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const stream = session.request({ ':path': `/${name}` });
      const chunks: Buffer[] = [];
      let status = 0;
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
      stream.on('error', reject);
    });
  try {
    const wanted = Array.from({ length: 30 }, (_, i) => names[i % names.length]!);
    const replies = await Promise.all(wanted.map(get));
    replies.forEach((reply, i) => {
      expect(reply.status).toBe(200);
      expect(Buffer.compare(reply.body, file(wanted[i]!))).toBe(0);
    });
    expect((session.socket as unknown as { alpnProtocol: string }).alpnProtocol).toBe('h2');
  } finally {
    session.close();
  }
});

test.skipIf(!havePythonH2 && !inCi)("Python's h2 state machine over TLS: ALPN h2, GET and POST, flow control by the book", () => {
  const script = `
import socket, ssl, sys
import h2.connection, h2.config, h2.events
ctx = ssl.create_default_context(cafile=sys.argv[1])
ctx.set_alpn_protocols(['h2'])
sock = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=10), server_hostname='localhost')
assert sock.selected_alpn_protocol() == 'h2', sock.selected_alpn_protocol()
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding='utf-8'))
conn.initiate_connection()
upload = bytes(range(256)) * 400
conn.send_headers(1, [(':method', 'GET'), (':scheme', 'https'), (':authority', 'localhost'), (':path', '/alphabet.txt')], end_stream=True)
conn.send_headers(3, [(':method', 'POST'), (':scheme', 'https'), (':authority', 'localhost'), (':path', '/echo')])
sock.sendall(conn.data_to_send())
pending = upload
bodies = {1: b'', 3: b''}
status = {}
done = set()
while len(done) < 2:
    # Send what the windows allow of the upload; the server's WINDOW_UPDATEs open them again.
    while pending and conn.local_flow_control_window(3) > 0:
        n = min(len(pending), conn.local_flow_control_window(3), conn.max_outbound_frame_size)
        conn.send_data(3, pending[:n])
        pending = pending[n:]
        if not pending:
            conn.end_stream(3)
    sock.sendall(conn.data_to_send())
    data = sock.recv(65536)
    if not data:
        break
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.ResponseReceived):
            status[event.stream_id] = dict(event.headers)[':status']
        elif isinstance(event, h2.events.DataReceived):
            bodies[event.stream_id] += event.data
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            done.add(event.stream_id)
        elif isinstance(event, h2.events.StreamReset):
            raise SystemExit('stream %d reset: %r' % (event.stream_id, event.error_code))
    sock.sendall(conn.data_to_send())
print(status.get(1), len(bodies[1]), status.get(3), bodies[3] == upload)
conn.close_connection()
sock.sendall(conn.data_to_send())
`;
  const { stdout, stderr, status } = run(PYTHON, ['-c', script, certs.ca, String(server.port)]);
  expect(status, stderr).toBe(0);
  expect(stdout.toString()).toBe(`200 ${file('alphabet.txt').length} 200 True\n`);
});

test.skipIf(!haveNghttp && !inCi)('nghttp -n -m 20: twenty concurrent streams on h2c, and over TLS, all 200', () => {
  for (const url of [`${h2cBase()}/index.html`, `${tlsBase()}/alphabet.txt`]) {
    const { stdout, stderr, status } = run('nghttp', ['-n', '-s', '-m', '20', url]);
    expect(status, stderr).toBe(0);
    const rows = stdout
      .toString()
      .split('\n')
      .filter((line) => /^\s*\d+\s+\+/.test(line));
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row.split(/\s+/).filter(Boolean)[4]).toBe('200');
  }
});

test.skipIf(!haveChromium && !inCi)(
  'Chromium loads the site over https:// and every resource comes over h2',
  async () => {
    // Chromium trusts the server's key by its SPKI hash (no system store to add the CA to).
    const spki = createHash('sha256')
      .update(new X509Certificate(fs.readFileSync(certs.servers[0]!.cert)).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-chromium-'));
    const context = await launchChromium(profile, [`--ignore-certificate-errors-spki-list=${spki}`]);
    try {
      const page = await context.newPage();
      const response = await page.goto(`${tlsBase()}/index.html`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      // Runs in the page: every entry (the navigation and each resource) says which protocol carried it.
      const entries = await page.evaluate(() =>
        ['navigation', 'resource']
          .flatMap((type) => performance.getEntriesByType(type as 'resource'))
          .map((entry) => ({ name: entry.name, protocol: (entry as unknown as { nextHopProtocol: string }).nextHopProtocol })),
      );
      // The page, its stylesheet, its script and its three pictures.
      expect(entries.length).toBeGreaterThanOrEqual(6);
      for (const entry of entries) expect(entry, entry.name).toMatchObject({ protocol: 'h2' });
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  },
  90_000,
);

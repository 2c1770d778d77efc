// Real clients against the compression reference (solutions/…-compression/server.ts): curl
// --compressed, Python's http.client with gzip.decompress, Node's fetch (which decodes for
// itself), and headless Chromium loading the sample page, whose text resources must arrive
// compressed and whose pictures must not. Then 128 MiB through gzip to a client that reads as it
// can, with the server's memory sampled all along (1 GiB takes 10-45 s here, so the bench runs
// that one: `npm run bench -- compression`). Loopback only, every run bounded. A missing
// tool skips its test and says so; CI installs them (apt: curl python3 chromium), and in CI the
// browser test never skips.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findLesson, solutionFolder } from '../lesson.ts';
import { Program } from '../process/program.ts';
import { CHROMIUM, haveChromium, launchChromium } from './support/chromium.ts';
import { startReference } from './support/reference.ts';

const missing = (tool: string, versionFlag = '--version') => spawnSync(tool, [versionFlag], { stdio: 'ignore' }).error !== undefined;
const skipped = (tool: string) => (missing(tool) ? ` (skipped: ${tool} is not installed)` : '');
const MiB = 1024 ** 2;
/** Twice the memory bound below: a server that held the body would fail it. */
const HUGE = 128 * MiB;

let program: Program;
let base: string;
let root: string;
let work: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'compression-clients-'));
  root = path.join(work, 'site');
  fs.cpSync(path.join(solutionFolder(findLesson('compression')), 'site'), root, { recursive: true });
  // Sparse: zeros that take no disk space; .txt, so it is compressed.
  fs.writeFileSync(path.join(root, 'huge.txt'), '');
  fs.truncateSync(path.join(root, 'huge.txt'), HUGE);
  ({ program, base } = await startReference('compression', { args: ['--root', root, '--idle-timeout', '20000'] }));
});

afterAll(async () => {
  await program?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function run(command: string, args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

const file = (name: string) => fs.readFileSync(path.join(root, name));

test.skipIf(missing('curl'))(`curl --compressed gets br bodies that decode to the files exactly${skipped('curl')}`, async () => {
  for (const name of ['page.js', 'alphabet.txt', 'logo.svg', 'index.html']) {
    const headers = path.join(work, `${name}.headers`);
    const { code, stdout, stderr } = await run('curl', ['-sS', '--compressed', '-D', headers, `${base}/${name}`]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const head = fs.readFileSync(headers, 'latin1');
    // curl --compressed sends "deflate, gzip, br, zstd": all weight 1, and the server prefers br.
    expect(head, name).toMatch(/\r\nContent-Encoding: br\r\n/i);
    expect(head, name).toMatch(/\r\nVary: Accept-Encoding\r\n/i);
    expect(head, name).not.toMatch(/\r\nContent-Length:/i);
    expect(stdout.equals(file(name)), name).toBe(true);
  }
  // A picture comes as it is, with its length.
  const png = await run('curl', ['-sS', '--compressed', '-D', '-', '-o', '/dev/null', `${base}/images/noise.png`]);
  expect(png.stdout.toString('latin1')).not.toMatch(/Content-Encoding/i);
  expect(png.stdout.toString('latin1')).toMatch(new RegExp(`\\r\\nContent-Length: ${file('images/noise.png').length}\\r\\n`, 'i'));
});

test.skipIf(missing('curl'))(`curl -N through gunzip prints the sheep as they come${skipped('curl')}`, async () => {
  const { code, stdout } = await run('bash', ['-c', `curl -sS -N -H 'Accept-Encoding: gzip' '${base}/sheep?n=3&interval=100' | gunzip`]);
  expect(code).toBe(0);
  expect(stdout.toString()).toBe('1 sheep\n2 sheep\n3 sheep\n');
});

const PYTHON = `
import gzip, http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
out = []
for target in ["/page.js", "/alphabet.txt", "/images/noise.png", "/hello.txt"]:
    conn.request("GET", target, headers={"Accept-Encoding": "gzip"})
    r = conn.getresponse()
    body = r.read()
    coding = r.getheader("Content-Encoding")
    out.append({"target": target, "status": r.status, "coding": coding, "vary": r.getheader("Vary"),
                "body": (gzip.decompress(body) if coding == "gzip" else body).hex()})
print(json.dumps(out))
`;

test.skipIf(missing('python3'))(
  `Python's http.client with Accept-Encoding: gzip, on one connection: gzip.decompress gives the files${skipped('python3')}`,
  async () => {
    const { code, stdout, stderr } = await run('python3', ['-c', PYTHON, base.split(':').at(-1)!]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const results = JSON.parse(stdout.toString()) as Array<{ target: string; status: number; coding: string | null; vary: string | null; body: string }>;
    expect(results.map((r) => [r.target, r.status, r.coding])).toEqual([
      ['/page.js', 200, 'gzip'],
      ['/alphabet.txt', 200, 'gzip'],
      ['/images/noise.png', 200, null],
      ['/hello.txt', 200, null],
    ]);
    for (const r of results) expect(Buffer.from(r.body, 'hex').equals(file(r.target.slice(1))), r.target).toBe(true);
    expect(results[3]!.vary).toBe('Accept-Encoding'); // small, sent as it is, but another body could have been compressed
  },
);

test("Node's fetch decodes br and gzip for itself, and revalidates the encoded representation", async () => {
  // Node's fetch sends its own Accept-Encoding (which codings depends on the Node version).
  const first = await fetch(`${base}/page.js`);
  expect(['br', 'gzip']).toContain(first.headers.get('content-encoding'));
  expect(Buffer.from(await first.arrayBuffer()).equals(file('page.js'))).toBe(true);
  const etag = first.headers.get('etag')!;
  expect(etag).toMatch(/-(br|gzip)"$/);
  const again = await fetch(`${base}/page.js`, { headers: { 'If-None-Match': etag } });
  expect(again.status).toBe(304);
  const gzip = await fetch(`${base}/alphabet.txt`, { headers: { 'Accept-Encoding': 'gzip' } });
  expect(gzip.headers.get('content-encoding')).toBe('gzip');
  expect(Buffer.from(await gzip.arrayBuffer()).equals(file('alphabet.txt'))).toBe(true);
});

test.skipIf(!haveChromium && !process.env.CI)(
  `Chromium loads the sample page: the page, its script and its SVG arrive compressed, the pictures and the small stylesheet as they are${haveChromium ? '' : ` (skipped: ${CHROMIUM} is not installed; CI installs it)`}`,
  { timeout: 90_000 },
  async () => {
    expect(haveChromium, `${CHROMIUM} must be installed in CI (.ci/run installs the chromium package)`).toBe(true);
    const profile = fs.mkdtempSync(path.join(work, 'chromium-profile-'));
    const context = await launchChromium(profile);
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const encodings = new Map<string, string | undefined>();
      page.on('response', (response) => {
        encodings.set(new URL(response.url()).pathname, response.headers()['content-encoding']);
      });
      await page.goto(`${base}/`, { waitUntil: 'load' });
      await page.waitForFunction(`document.getElementById('ratio').textContent.includes('saved')`);
      expect(Object.fromEntries(encodings)).toEqual({
        '/': 'br',
        '/page.js': 'br',
        '/logo.svg': 'br',
        '/style.css': undefined,
        '/images/grid.png': undefined,
        '/images/noise.png': undefined,
      });
      // The page's script ran (it was decoded) and reports the sizes the browser saw.
      const report = (await page.evaluate(`document.getElementById('ratio').textContent`)) as string;
      expect(report).toMatch(/page\.js: .* on the wire for .* of file \(\d+% saved\)/);
    } finally {
      await context.close();
    }
  },
);

test(
  '128 MiB through gzip to a client that reads as it can: it decodes whole, and the server stays within 64 MiB of its memory',
  { timeout: 60_000 },
  async () => {
    const before = (await program.stats())!.rss;
    let peak = before;
    const sampler = setInterval(() => {
      void program.stats().then((stats) => {
        if (stats) peak = Math.max(peak, stats.rss);
      });
    }, 100);
    try {
      const decoded = await new Promise<number>((resolve, reject) => {
        const req = http.get(`${base}/huge.txt`, { headers: { 'Accept-Encoding': 'gzip' } }, (response) => {
          expect(response.headers['content-encoding']).toBe('gzip');
          let total = 0;
          let nonZero = false;
          const gunzip = zlib.createGunzip();
          gunzip.on('data', (piece: Buffer) => {
            total += piece.length;
            if (!nonZero && piece.some((b) => b !== 0)) nonZero = true;
          });
          gunzip.on('end', () => (nonZero ? reject(new Error('the decoded body has bytes that are not zero')) : resolve(total)));
          gunzip.on('error', reject);
          response.pipe(gunzip);
        });
        req.on('error', reject);
        req.setTimeout(50_000, () => req.destroy(new Error('128 MiB did not arrive in 50 s')));
      });
      expect(decoded).toBe(HUGE);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(64 * MiB);
  },
);

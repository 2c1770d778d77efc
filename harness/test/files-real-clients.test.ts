// Real clients against the http-caching reference (solutions/…-http-caching/server.ts, the file
// server of Part 4): curl's ranges, resume and conditional GETs, Python's http.client, Node's
// fetch, and headless Chromium loading a page twice (the second time it revalidates: 304s) and
// seeking in a <video> (Range requests). What reached the server is read from its access log
// (--log): one line per request, with the fields that matter and the status it got.
// Loopback only, every run bounded. A missing tool skips its test and says so; CI installs them
// (apt: curl python3 chromium), and in CI the browser test never skips.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findLesson, solutionFolder } from '../lesson.ts';
import { Program } from '../process/program.ts';
import { CHROMIUM, haveChromium, launchChromium } from './support/chromium.ts';
import { startReference } from './support/reference.ts';

const missing = (tool: string, versionFlag = '--version') => spawnSync(tool, [versionFlag], { stdio: 'ignore' }).error !== undefined;
const skipped = (tool: string) => (missing(tool) ? ` (skipped: ${tool} is not installed)` : '');

let program: Program;
let base: string;
let root: string;
let work: string;
const BLOB = randomBytes(3 * 1024 * 1024);

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'files-clients-'));
  root = path.join(work, 'site');
  // A copy of the lesson's sample folder (text, HTML, a picture, a video), plus a 3 MiB file.
  fs.cpSync(path.join(solutionFolder(findLesson('http-caching')), 'site'), root, { recursive: true });
  fs.writeFileSync(path.join(root, 'blob.bin'), BLOB);
  ({ program, base } = await startReference('http-caching', { args: ['--root', root, '--log', '--idle-timeout', '20000'] }));
});

afterAll(async () => {
  await program?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** One access-log line: `GET /x [Range: bytes=0-] [If-None-Match: "…"] → 206`. */
interface Logged {
  method: string;
  target: string;
  fields: Record<string, string>;
  status: number;
}

/** The requests the server logged from now on: call the returned function to read them. */
function recordRequests(): () => Logged[] {
  const from = program.output.length;
  return () =>
    program.output
      .slice(from)
      .map((line) => /^(\S+) (\S+)((?: \[[^\]]*\])*) → (\d{3})$/.exec(line.text))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({
        method: m[1]!,
        target: m[2]!,
        fields: Object.fromEntries([...m[3]!.matchAll(/\[([^:]+): ([^\]]*)\]/g)].map((f) => [f[1]!.toLowerCase(), f[2]!])),
        status: Number(m[4]),
      }));
}

/** Waits (bounded) until the log has caught up: lines arrive over a pipe, a moment after the answer. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 150));
}

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

const ALPHABET = () => fs.readFileSync(path.join(root, 'alphabet.txt'));

test.skipIf(missing('curl'))(`curl -r 0-99 and -r -10 get 206 with exactly those bytes${skipped('curl')}`, async () => {
  const first = await run('curl', ['-sS', '-r', '0-99', `${base}/alphabet.txt`]);
  expect(first.stderr).toBe('');
  expect(first.stdout.equals(ALPHABET().subarray(0, 100))).toBe(true);
  const last = await run('curl', ['-sS', '-r', '-10', `${base}/alphabet.txt`]);
  expect(last.stdout.equals(ALPHABET().subarray(-10))).toBe(true);
});

test.skipIf(missing('curl'))(`curl -r 0-1,5-9 gets a multipart/byteranges body with both parts${skipped('curl')}`, async () => {
  const headers = path.join(work, 'multipart-headers.txt');
  const { code, stdout } = await run('curl', ['-sS', '-D', headers, '-r', '0-1,5-9', `${base}/alphabet.txt`]);
  expect(code).toBe(0);
  const head = fs.readFileSync(headers, 'latin1');
  expect(head).toMatch(/^HTTP\/1\.1 206 /);
  const boundary = /content-type: multipart\/byteranges; boundary=(\S+)/i.exec(head)?.[1];
  expect(boundary).toBeDefined();
  const parts = stdout.toString('latin1').split(`--${boundary}`).slice(1, -1);
  expect(parts).toHaveLength(2);
  const file = ALPHABET().toString('latin1');
  for (const [i, [first, last]] of (
    [
      [0, 1],
      [5, 9],
    ] as const
  ).entries()) {
    const [fields, data] = parts[i]!.split('\r\n\r\n') as [string, string];
    expect(fields).toContain(`Content-Range: bytes ${first}-${last}/${file.length}`);
    expect(data).toBe(`${file.slice(first, last + 1)}\r\n`);
  }
});

test.skipIf(missing('curl'))(`curl -C - resumes a partial download and completes the file exactly${skipped('curl')}`, async () => {
  const out = path.join(work, 'resumed.bin');
  fs.writeFileSync(out, BLOB.subarray(0, 1_000_001));
  const requests = recordRequests();
  const { code, stderr } = await run('curl', ['-sS', '-C', '-', '-o', out, `${base}/blob.bin`]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(fs.readFileSync(out).equals(BLOB)).toBe(true);
  await settle();
  expect(requests()).toEqual([{ method: 'GET', target: '/blob.bin', fields: { range: 'bytes=1000001-' }, status: 206 }]);
});

test.skipIf(missing('curl'))(
  `curl -z <file> gets 304 while the file is unchanged, 200 once it changed; curl -I gets the validators${skipped('curl')}`,
  async () => {
    const served = path.join(root, 'hello.txt');
    const local = path.join(work, 'hello-copy.txt');
    fs.copyFileSync(served, local);
    const mtime = fs.statSync(served).mtime;
    fs.utimesSync(local, mtime, mtime); // curl -z sends the local file's mtime as If-Modified-Since
    const status = async () => (await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-z', local, `${base}/hello.txt`])).stdout.toString();
    expect(await status()).toBe('304');
    fs.utimesSync(served, new Date(mtime.getTime() + 5000), new Date(mtime.getTime() + 5000));
    expect(await status()).toBe('200');
    const head = (await run('curl', ['-sS', '-I', `${base}/hello.txt`])).stdout.toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/\r\nETag: "[^"]+"\r\n/i);
    expect(head).toMatch(/\r\nLast-Modified: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/i);
    expect(head).toMatch(/\r\nAccept-Ranges: bytes\r\n/i);
    expect(head).toMatch(new RegExp(`\\r\\nContent-Length: ${fs.statSync(served).size}\\r\\n`, 'i'));
  },
);

const PYTHON = `
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
def ask(headers):
    conn.request("GET", "/alphabet.txt", headers=headers)
    r = conn.getresponse()
    body = r.read()
    return {"status": r.status, "etag": r.getheader("ETag"), "range": r.getheader("Content-Range"), "length": len(body), "body": body[:16].decode("latin1")}
first = ask({})
sock = id(conn.sock)
results = [first, ask({"If-None-Match": first["etag"]}), ask({"Range": "bytes=32-47"}),
           ask({"Range": "bytes=32-47", "If-Range": first["etag"]}), ask({"Range": "bytes=32-47", "If-Range": '"stale"'})]
print(json.dumps({"results": results, "same_connection": id(conn.sock) == sock}))
`;

test.skipIf(missing('python3'))(`Python's http.client: 200, 304, 206, If-Range both ways, on one connection${skipped('python3')}`, async () => {
  const { code, stdout, stderr } = await run('python3', ['-c', PYTHON, base.split(':').at(-1)!]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const { results, same_connection } = JSON.parse(stdout.toString()) as {
    results: Array<{ status: number; etag: string; range: string | null; length: number; body: string }>;
    same_connection: boolean;
  };
  const size = ALPHABET().length;
  expect(same_connection).toBe(true);
  expect(results.map((r) => r.status)).toEqual([200, 304, 206, 206, 200]);
  expect(results[1]!.length).toBe(0);
  expect(results[1]!.etag).toBe(results[0]!.etag);
  expect(results[2]!.range).toBe(`bytes 32-47/${size}`);
  expect(results[2]!.body).toBe(ALPHABET().subarray(32, 48).toString('latin1'));
  expect(results[4]!.length).toBe(size);
});

test("Node's fetch revalidates with If-None-Match and gets 304 with no body", async () => {
  const first = await fetch(`${base}/style.css`);
  expect(first.status).toBe(200);
  const etag = first.headers.get('etag');
  expect(await first.text()).toBe(fs.readFileSync(path.join(root, 'style.css'), 'utf8'));
  expect(etag).toMatch(/^"[^"]+"$/);
  const again = await fetch(`${base}/style.css`, { headers: { 'If-None-Match': etag! } });
  expect(again.status).toBe(304);
  expect(again.headers.get('etag')).toBe(etag);
  expect(await again.text()).toBe('');
});

test.skipIf(!haveChromium && !process.env.CI)(
  `Chromium loads a page twice (the second time with 304s) and seeks in a <video> with Range requests${haveChromium ? '' : ` (skipped: ${CHROMIUM} is not installed; CI installs it)`}`,
  { timeout: 90_000 },
  async () => {
    expect(haveChromium, `${CHROMIUM} must be installed in CI (.ci/run installs the chromium package)`).toBe(true);
    const profile = fs.mkdtempSync(path.join(work, 'chromium-profile-'));
    const context = await launchChromium(profile);
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const files = ['/', '/style.css', '/images/grid.png'];

      const firstLoad = recordRequests();
      await page.goto(`${base}/`, { waitUntil: 'load' });
      await settle();
      for (const target of files) expect(firstLoad().find((r) => r.target === target)?.status, `first load of ${target}`).toBe(200);

      const secondLoad = recordRequests();
      await page.goto(`${base}/`, { waitUntil: 'load' });
      await settle();
      for (const target of files) {
        const request = secondLoad().find((r) => r.target === target);
        expect(request, `the second load asks for ${target} again (Cache-Control: no-cache)`).toBeDefined();
        expect(request!.fields['if-none-match'], `the second request for ${target} revalidates`).toMatch(/^"[^"]+"$/);
        expect(request!.status, `the second request for ${target}`).toBe(304);
      }
      expect(await page.locator('h1').textContent()).toContain('Hello from your file server');

      const video = recordRequests();
      await page.goto(`${base}/video.html`, { waitUntil: 'load' });
      // Runs in the page (as text: this project compiles without the DOM's types).
      const played = (await page.evaluate(`(async () => {
        const element = document.getElementById('video');
        if (element.readyState < 1) await new Promise((resolve) => element.addEventListener('loadedmetadata', resolve, { once: true }));
        const duration = element.duration;
        await new Promise((resolve) => {
          element.addEventListener('seeked', resolve, { once: true });
          element.currentTime = duration - 2;
        });
        await element.play();
        await new Promise((resolve) => setTimeout(resolve, 400));
        return { duration, time: element.currentTime, error: element.error ? element.error.message : null };
      })()`)) as { duration: number; time: number; error: string | null };
      await settle();
      expect(played.error).toBeNull();
      expect(played.duration).toBeGreaterThan(10);
      expect(played.time).toBeGreaterThan(played.duration - 2);
      const mp4 = video().filter((r) => r.target === '/video.mp4');
      expect(mp4.length, 'requests for video.mp4').toBeGreaterThanOrEqual(1);
      // Every media request carries a Range, and the first starts at 0. Whether the seek needs a
      // request of its own is the browser's choice: when the first response arrived whole before
      // the seek (a quick machine, or a slow page), Chromium seeks in what it holds. Any request
      // past byte 0 must be answered with a range.
      for (const request of mp4) expect(request.fields.range).toMatch(/^bytes=\d+-\d*$/);
      expect(mp4[0]!.fields.range).toBe('bytes=0-');
      expect(mp4[0]!.status).toBe(206);
      const later = mp4.filter((r) => Number(/^bytes=(\d+)/.exec(r.fields.range!)?.[1]) > 0);
      for (const request of later) expect([206, 304]).toContain(request.status);
    } finally {
      await context.close();
    }
  },
);

// The last lesson's server is the course's trophy: one server that answers every part at once. Real
// clients against the websocket-chat reference: curl (files with ranges, validators and compression,
// a chunked upload), Python's http.client (encode_chunked, a Range), Node's fetch (a stream body with
// duplex: 'half', a compressed file), the ws package (the WebSocket echo and the chat) and headless
// Chromium (the chat page, the site, a WebSocket and an upload from the page). Loopback only, every
// run bounded. A test whose tool is missing is skipped and says so (Chromium is required in CI).

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { findLesson, solutionFolder } from '../lesson.ts';
import type { Program } from '../process/program.ts';
import { CHROMIUM, haveChromium, launchChromium } from './support/chromium.ts';
import { startReference } from './support/reference.ts';

const missing = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined;
const skipped = (tool: string) => (missing(tool) ? ` (skipped: ${tool} is not installed)` : '');

/** The site the chat server serves by default: compression's sample folder. */
const SITE = path.join(solutionFolder(findLesson('compression')), 'site');
const ALPHABET = fs.readFileSync(path.join(SITE, 'alphabet.txt'));

let program: Program;
let base: string;
let port: number;

beforeAll(async () => {
  ({ program, base, port } = await startReference('websocket-chat'));
});

afterAll(async () => {
  await program?.stop();
});

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command to its end, bounded, feeding it `input`. */
function run(command: string, args: string[], input?: Buffer, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (bytes: Buffer) => out.push(bytes));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (input !== undefined) child.stdin!.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

test.skipIf(missing('curl'))(
  `curl: a file compressed, a range of it, a 304 for its ETag, and a chunked upload, from one server${skipped('curl')}`,
  async () => {
    const compressed = await run('curl', ['-sS', '-v', '--compressed', `${base}/alphabet.txt`]);
    expect(compressed.code).toBe(0);
    expect(compressed.stderr).toMatch(/^< Content-Encoding: (br|gzip)\r?$/im);
    expect(compressed.stdout.equals(ALPHABET)).toBe(true);

    const range = await run('curl', ['-sS', '-v', '-r', '100-199', `${base}/alphabet.txt`]);
    expect(range.stderr).toMatch(/^< HTTP\/1\.1 206 Partial Content\r?$/im);
    expect(range.stderr).toMatch(new RegExp(`^< Content-Range: bytes 100-199/${ALPHABET.length}\\r?$`, 'im'));
    expect(range.stdout.equals(ALPHABET.subarray(100, 200))).toBe(true);

    const etag = /^< ETag: (.*?)\r?$/im.exec(range.stderr)?.[1];
    expect(etag).toBeDefined();
    const revalidated = await run('curl', ['-sS', '-v', '-H', `If-None-Match: ${etag}`, `${base}/alphabet.txt`]);
    expect(revalidated.stderr).toMatch(/^< HTTP\/1\.1 304 Not Modified\r?$/im);
    expect(revalidated.stdout.length).toBe(0);

    const data = randomBytes(200_000);
    const upload = await run('curl', ['-sS', '-v', '--expect100-timeout', '10', '-T', '-', `${base}/echo`], data);
    expect(upload.code).toBe(0);
    expect(upload.stderr).toMatch(/^> Transfer-Encoding: chunked\r?$/im);
    expect(upload.stdout.equals(data)).toBe(true);
  },
);

const PYTHON = `
import http.client, sys
port = int(sys.argv[1])
data = bytes(range(256)) * 400
conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
conn.request('PUT', '/echo', body=iter([data[:1000], data[1000:50000], data[50000:]]), encode_chunked=True)
r = conn.getresponse()
echoed = r.read()
assert r.status == 200 and echoed == data, (r.status, len(echoed))
conn.request('GET', '/alphabet.txt', headers={'Range': 'bytes=-10'})
r = conn.getresponse()
tail = r.read()
assert r.status == 206, r.status
sys.stdout.buffer.write(tail)
`;

test.skipIf(missing('python3'))(
  `Python http.client: a chunked upload (encode_chunked) echoed, then a suffix range, on one connection${skipped('python3')}`,
  async () => {
    const { code, stdout, stderr } = await run('python3', ['-c', PYTHON, String(port)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.equals(ALPHABET.subarray(-10))).toBe(true);
  },
);

test("fetch: a stream body (duplex: 'half') echoed, a compressed file decoded, an unknown method (501)", async () => {
  const pieces = [randomBytes(10_000), randomBytes(70_000), Buffer.from('the end\n')];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  const echoed = await fetch(`${base}/echo`, { method: 'POST', body, duplex: 'half' } as RequestInit & { duplex: 'half' });
  expect(echoed.status).toBe(200);
  expect(Buffer.from(await echoed.arrayBuffer()).equals(Buffer.concat(pieces))).toBe(true);

  // fetch asks for gzip, deflate and br, and decodes what comes.
  const file = await fetch(`${base}/alphabet.txt`);
  expect(file.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
  expect(Buffer.from(await file.arrayBuffer()).equals(ALPHABET)).toBe(true);

  const unknown = await fetch(`${base}/alphabet.txt`, { method: 'BREW' });
  expect(unknown.status).toBe(501);
});

test('ws: the WebSocket echo at /echo (text and binary) and the chat at /chat, beside the HTTP routes', async () => {
  const echo = new WebSocket(`ws://127.0.0.1:${port}/echo`);
  const binary = randomBytes(100_000);
  const received = await new Promise<Array<{ data: Buffer; isBinary: boolean }>>((resolve, reject) => {
    const got: Array<{ data: Buffer; isBinary: boolean }> = [];
    const timer = setTimeout(() => reject(new Error(`the echo answered ${got.length} of 2 messages in 10 s`)), 10_000);
    echo.on('open', () => {
      echo.send('Grüße 👋');
      echo.send(binary);
    });
    echo.on('message', (data: Buffer, isBinary) => {
      got.push({ data, isBinary });
      if (got.length === 2) {
        clearTimeout(timer);
        resolve(got);
      }
    });
    echo.on('error', reject);
  });
  echo.close(1000);
  expect(received[0]!.isBinary).toBe(false);
  expect(received[0]!.data.toString('utf8')).toBe('Grüße 👋');
  expect(received[1]!.isBinary).toBe(true);
  expect(received[1]!.data.equals(binary)).toBe(true);

  const chat = new WebSocket(`ws://127.0.0.1:${port}/chat`);
  const welcome = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to join in 10 s')), 10_000);
    chat.on('open', () => chat.send(JSON.stringify({ type: 'join', name: 'trophy', room: 'all-parts' })));
    chat.on('message', (data: Buffer) => {
      clearTimeout(timer);
      resolve(JSON.parse(data.toString('utf8')));
    });
    chat.on('error', reject);
  });
  chat.close(1000);
  expect(JSON.stringify(welcome)).toContain('trophy');
});

if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run, APT_PACKAGES).`);

test.skipIf(!haveChromium)(
  `headless Chromium: the chat page at /, the site at /index.html, and from the page a WebSocket echo, an upload and a range${haveChromium ? '' : ' (skipped: /usr/bin/chromium is not installed)'}`,
  { timeout: 90_000 },
  async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-chromium-'));
    const context = await launchChromium(profile);
    try {
      const page = await context.newPage();
      const chatPage = await page.goto(`${base}/`);
      expect(chatPage?.status()).toBe(200);
      await page.waitForSelector('input[name=name]', { timeout: 10_000 });
      const site = await page.goto(`${base}/index.html`);
      expect(site?.status()).toBe(200);
      // A string, not a function: the test's own imports (ws's WebSocket) must not leak into the page.
      const results = (await page.evaluate(`(async () => {
        const echoed = await new Promise((resolve, reject) => {
          const socket = new WebSocket('ws://' + location.host + '/echo');
          socket.onopen = () => socket.send('from the page');
          socket.onmessage = (event) => {
            resolve(String(event.data));
            socket.close(1000);
          };
          socket.onerror = () => reject(new Error('WebSocket error'));
        });
        const upload = await (await fetch('/echo', { method: 'PUT', body: 'uploaded from the page' })).text();
        const range = await fetch('/alphabet.txt', { headers: { Range: 'bytes=0-9' } });
        return { echoed, upload, rangeStatus: range.status, range: await range.text() };
      })()`)) as { echoed: string; upload: string; rangeStatus: number; range: string };
      expect(results.echoed).toBe('from the page');
      expect(results.upload).toBe('uploaded from the page');
      expect(results.rangeStatus).toBe(206);
      expect(results.range).toBe(ALPHABET.subarray(0, 10).toString('latin1'));
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  },
);

// Real HTTP clients against the keep-alive reference (solutions/…-keep-alive/server.ts): curl,
// Python's http.client, Node's fetch (undici) and wrk. Each must reuse its connection and get
// correct answers; curl's uploads over 1 MiB ask "Expect: 100-continue" and must get the 100.
// Loopback only, every run bounded. A test whose tool is missing is skipped and says so in its
// name; CI installs them (apt: curl python3 wrk).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Program } from '../process/program.ts';
import { startReference } from './support/reference.ts';

const missing = (tool: string, versionFlag = '--version') => spawnSync(tool, [versionFlag], { stdio: 'ignore' }).error !== undefined;
const skipped = (tool: string) => (missing(tool) ? ` (skipped: ${tool} is not installed)` : '');

let program: Program;
let base: string;

beforeAll(async () => {
  ({ program, base } = await startReference('keep-alive'));
});

afterAll(async () => {
  await program?.stop();
});

/** Runs a command to its end, bounded, and returns its output. */
function run(command: string, args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Client connections the server holds open now. */
async function openConnections(): Promise<number> {
  const stats = await program.stats();
  if (!stats) throw new Error('the reference server did not report its handles');
  return stats.resources.TCPSocketWrap ?? 0;
}

test.skipIf(missing('curl'))(`curl reuses one connection for a GET and then a POST with a body${skipped('curl')}`, async () => {
  const { code, stdout, stderr } = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-w',
    '[%{num_connects} %{http_code}]\n',
    `${base}/`,
    '--next',
    '-sS',
    '--data-binary',
    'hello from curl',
    '-w',
    '\n[%{num_connects} %{http_code}]\n',
    `${base}/echo`,
  ]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  // num_connects: new connections made for the transfer, 1 for the first and 0 when one is reused.
  expect(stdout).toBe('[1 200]\nhello from curl\n[0 200]\n');
});

test.skipIf(missing('curl'))(`curl uploads 2 MiB with Expect: 100-continue, gets the 100 and the whole echo${skipped('curl')}`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curl-'));
  const file = path.join(dir, 'upload.bin');
  const echoed = path.join(dir, 'echoed.bin');
  const upload = randomBytes(2 * 1024 * 1024);
  fs.writeFileSync(file, upload);
  try {
    // curl asks before sending more than 1 MiB. Without a 100 Continue it would wait for
    // --expect100-timeout (1 s by default, 10 s here) and then send the body anyway: the 100
    // shows in its verbose output, and a server that never sends it makes this run slow, not wrong.
    const { code, stderr } = await run('curl', ['-sS', '-v', '--expect100-timeout', '10', '--data-binary', `@${file}`, '-o', echoed, `${base}/echo`]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^> Expect: 100-continue\r?$/m);
    expect(stderr).toMatch(/^< HTTP\/1\.1 100 Continue\r?$/m);
    expect(stderr).toMatch(/^< HTTP\/1\.1 200 OK\r?$/m);
    expect(fs.readFileSync(echoed).equals(upload)).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.skipIf(missing('curl'))(`curl's Expect: 100-continue to a missing path gets the 404 and no 100${skipped('curl')}`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curl-'));
  const file = path.join(dir, 'upload.bin');
  fs.writeFileSync(file, randomBytes(100 * 1024));
  try {
    // 100 KiB: under the route limit (so the answer is the 404, not a 413), and too small for curl
    // to ask on its own, so the header is given.
    const { code, stdout, stderr } = await run('curl', [
      '-sS',
      '-v',
      '--expect100-timeout',
      '10',
      '-H',
      'Expect: 100-continue',
      '--data-binary',
      `@${file}`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${base}/nowhere`,
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe('404');
    expect(stderr).not.toMatch(/100 Continue/);
    // The body was never asked for: the server says it closes instead of draining it.
    expect(stderr).toMatch(/^< Connection: close\r?$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const PYTHON = `
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
results = []
sockets = set()
for method, path, body in [("GET", "/", None), ("POST", "/echo", b"hello from python"), ("GET", "/greeting", None), ("HEAD", "/", None), ("GET", "/nowhere", None)]:
    conn.request(method, path, body=body)
    response = conn.getresponse()
    data = response.read()
    sockets.add(id(conn.sock))
    results.append([response.status, data.decode("utf-8")])
print(json.dumps({"results": results, "sockets": len(sockets)}))
`;

test.skipIf(missing('python3'))(`Python's http.client makes five requests on one connection${skipped('python3')}`, async () => {
  const { code, stdout, stderr } = await run('python3', ['-c', PYTHON, base.split(':').at(-1)!]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const { results, sockets } = JSON.parse(stdout) as { results: Array<[number, string]>; sockets: number };
  expect(sockets).toBe(1);
  expect(results[0]).toEqual([200, 'Hello, world!\n']);
  expect(results[1]).toEqual([200, 'hello from python']);
  expect(results[2]).toEqual([200, 'Grüße aus Köln — 你好, 世界 👋\n']);
  expect(results[3]).toEqual([200, '']);
  expect(results[4]![0]).toBe(404);
});

test("Node's fetch (undici) reuses its connections across ten requests", async () => {
  // Let the connections of earlier tests finish closing before counting.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const before = await openConnections();
  for (let i = 0; i < 10; i++) {
    if (i % 3 === 1) {
      const echoed = await fetch(`${base}/echo`, { method: 'POST', body: `hello from fetch ${i}`, headers: { 'Content-Type': 'text/plain' } });
      expect(echoed.status).toBe(200);
      expect(echoed.headers.get('content-type')).toBe('text/plain');
      expect(await echoed.text()).toBe(`hello from fetch ${i}`);
    } else {
      const inspected = await fetch(`${base}/inspect?request=${i}`);
      expect(inspected.status).toBe(200);
      expect(((await inspected.json()) as { target: string }).target).toBe(`/inspect?request=${i}`);
    }
  }
  // undici may open a second connection when it dispatches a request a moment before the first
  // connection is back in its pool; it must not need one per request.
  const opened = (await openConnections()) - before;
  expect(opened).toBeGreaterThanOrEqual(1);
  expect(opened).toBeLessThanOrEqual(2);
});

test.skipIf(missing('wrk', '-v'))(`wrk runs 2 s kept-alive and 1 s pipelined without an error${skipped('wrk')}`, async () => {
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wrk-')), 'pipeline.lua');
  fs.writeFileSync(
    script,
    'init = function() local r = {} for i = 1, 8 do r[i] = wrk.format(nil, "/") end req = table.concat(r) end\nrequest = function() return req end\n',
  );
  try {
    for (const extra of [
      ['-d', '2s'],
      ['-d', '1s', '-s', script],
    ]) {
      const { code, stdout } = await run('wrk', ['-t', '1', '-c', '10', '--timeout', '2s', ...extra, `${base}/`]);
      expect(code).toBe(0);
      const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
      expect(requests).toBeGreaterThan(100);
      // wrk prints these lines only when something went wrong.
      expect(stdout).not.toMatch(/Socket errors|Non-2xx/);
    }
  } finally {
    fs.rmSync(path.dirname(script), { recursive: true, force: true });
  }
});

// `learn spy` end to end, as a learner runs it, without a terminal: real clients (curl, Python's
// http.client, the `ws` package) through the spy to a reference, bytes compared both ways; a
// 64 MiB stream with a reader that stalls, the spy's memory measured meanwhile; FIN and RST as
// the client sees them; Ctrl-C, and the page it writes. The relay's FIN/RST in each direction,
// seen from both ends, and the summaries are tested in spy-relay.test.ts.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../process/free-port.ts';
import { Workbook, type Running } from './workbook.ts';

let book: Workbook;
beforeAll(() => void (book = new Workbook()));
afterAll(() => book?.remove());

interface Spy {
  running: Running;
  port: number;
}

/** `learn spy <lesson> --solution` on a free port, once it says it listens. */
async function startSpy(lesson: string): Promise<Spy> {
  const port = await freePort();
  const running = book.spawn(['spy', lesson, '--solution', '--port', String(port)]);
  await running.until(/Spy listens on 127\.0\.0\.1:\d+/, 30_000);
  return { running, port };
}

/** Ctrl-C: resolves with the exit code and the page it wrote (its path and text). */
async function stopSpy(spy: Spy): Promise<{ code: number | null; page: string; html: string }> {
  spy.running.child.kill('SIGINT');
  const code = await spy.running.closed;
  const page = /The session, as a page: (\S+)/.exec(spy.running.out)?.[1];
  expect(page, `spy printed:\n${spy.running.out}\n${spy.running.err}`).toBeDefined();
  const file = path.resolve(book.root, page!);
  return { code, page: file, html: fs.readFileSync(file, 'utf8') };
}

/** Runs a command to its end, bounded. */
function run(command: string, args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(command, args, { timeout: 20_000 });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr })));
}

/** Every opening tag of the page is closed, in order: the markup is whole, and no text from the wire became markup. */
function checkWellFormed(html: string): void {
  const voids = new Set(['meta', '!doctype', 'br']);
  const open: string[] = [];
  for (const [, slash, name] of html.matchAll(/<(\/?)([!a-zA-Z][\w-]*)[^>]*>/g)) {
    const tag = name!.toLowerCase();
    if (voids.has(tag)) continue;
    if (!slash) open.push(tag);
    else expect(open.pop(), `</${tag}> closes the last tag opened`).toBe(tag);
  }
  expect(open).toEqual([]);
}

const PYTHON = `
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
for path in ["/greeting", "/greeting?again"]:
    conn.request("GET", path)
    response = conn.getresponse()
    print(response.status, response.read().decode("utf-8"), end="")
`;

describe.concurrent('learn spy', () => {
  test('relays curl, Python and a WebSocket client to the reference, bytes intact both ways; Ctrl-C writes the session as a page', async () => {
    const spy = await startSpy('websocket-frames');
    try {
      const curl = await run('curl', ['-s', '-i', `http://127.0.0.1:${spy.port}/greeting`]);
      expect(curl.stdout.toString()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nGrüße aus Köln — 你好, 世界 👋\n$/);

      const python = await run('python3', ['-c', PYTHON, String(spy.port)]);
      expect(python.stderr).toBe('');
      expect(python.stdout.toString()).toBe('200 Grüße aus Köln — 你好, 世界 👋\n'.repeat(2));
      const ws = new WebSocket(`ws://127.0.0.1:${spy.port}/echo`);
      const received: Buffer[] = [];
      ws.on('message', (data: Buffer) => received.push(Buffer.from(data)));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const large = randomBytes(1024 * 1024);
      const sent = [everyByte, Buffer.from('hi <script>alert("x")</script> & é'), large];
      for (const message of sent) ws.send(message, { binary: message !== sent[1] });
      await until(() => received.length === sent.length);
      // Compared as hex digests: toEqual walks a 1 MiB Buffer a byte at a time, for seconds.
      expect(received.map(digest)).toEqual(sent.map(digest));
      ws.close(1000, 'done');
      await new Promise((resolve) => ws.once('close', resolve));
    } finally {
      var { code, html } = await stopSpy(spy);
    }
    expect(code).toBe(0);
    const out = spy.running.out;
    // Ctrl-C stopped the server spy started too: nothing listens on its port any more.
    const serverPort = Number(/server on 127\.0\.0\.1:(\d+)\./.exec(out)?.[1]);
    expect(await refused(serverPort)).toBe(true);
    expect(out).toContain('GET /greeting HTTP/1.1 · 3 fields · no body'); // curl: Host, User-Agent, Accept
    expect(out).toContain('HTTP/1.1 101 Switching Protocols');
    expect(out).toContain('WebSocket binary frame · FIN · masked · 256 bytes: "\\x00\\x01');
    expect(out).toContain('WebSocket binary frame · FIN · unmasked · 256 bytes'); // the echo

    // In the order the events happened, live and on the page, across lanes.
    const times = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => Number(match[1]));
    for (const at of [times(out, /^\+(\d+)ms /gm), times(html, /<span class="time">\+(\d+) ms</g)]) {
      expect(at.length).toBeGreaterThan(10);
      expect(at).toEqual([...at].sort((a, b) => a - b));
    }
    expect(html.startsWith('<!doctype html>')).toBe(true);
    checkWellFormed(html);
    // Self-contained: nothing fetched from anywhere.
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|url\(|@import/i);
    // The text frame as text, live: UTF-8 decoded, its quotes kept (the ws client masks it; spy unmasks).
    const text = 'hi <script>alert("x")</script> & é';
    expect(out).toContain(`WebSocket text frame · FIN · masked · ${Buffer.byteLength(text)} bytes: "${text}"`);
    // The wire's bytes, escaped: the request line as sent, the text frame's markup as text.
    expect(html).toContain('GET /echo HTTP/1.1\\r\\n');
    const escaped = 'hi &#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; é';
    expect(html).toContain(`WebSocket text frame · FIN · masked · ${Buffer.byteLength(text)} bytes: &#34;${escaped}&#34;`);
    // Below the masked bytes on the page, the payload unmasked: the text as text, the binary as a dump.
    expect(html).toContain(
      `Unmasked, the payload of: WebSocket text frame · FIN · masked · ${Buffer.byteLength(text)} bytes: &#34;${escaped}&#34;</p><pre class="wrap">&#34;${escaped}&#34;</pre>`,
    );
    expect(html).toMatch(
      /Unmasked, the payload of: WebSocket binary frame · FIN · masked · 256 bytes: [^<]*<\/p><pre>00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  \|\.{16}\|/,
    );
    // The close came after the 1 MiB echo, whose many events may pass the live limit: the page has every one.
    // The close came after the 1 MiB echo, whose many events may pass the live limit: the page has every one.
    expect(html).toContain('WebSocket close frame · FIN · masked · 1000 (normal closure) &#34;done&#34;');
  });

  test('HTTP/2 (lesson http2-frames): curl and node:http2 through spy, frames and decoded header lists on one lane per stream, live and on the page', async () => {
    const spy = await startSpy('http2-frames');
    try {
      const curl = await run('curl', ['-s', '--http2-prior-knowledge', `http://127.0.0.1:${spy.port}/via-curl`]);
      expect(curl.stdout.toString()).toBe('Hello, HTTP/2!\n');
      // Two requests at once on one connection: streams 1 and 3.
      const session = http2.connect(`http://127.0.0.1:${spy.port}`);
      const get = (path: string) =>
        new Promise<string>((resolve, reject) => {
          const stream = session.request({ ':path': path, 'x-spy': 'é' });
          let body = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('end', () => resolve(body));
          stream.on('error', reject);
        });
      expect(await Promise.all([get('/one'), get('/two')])).toEqual(['Hello, HTTP/2!\n', 'Hello, HTTP/2!\n']);
      await new Promise<void>((resolve) => session.close(() => resolve()));
    } finally {
      var { code, html } = await stopSpy(spy);
    }
    expect(code).toBe(0);
    const out = spy.running.out;
    expect(out).toContain('HTTP/2 client preface "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n" (RFC 9113 §3.4)');
    expect(out).toContain('HTTP/2 SETTINGS frame · stream 0 · 0 bytes: none (every default stands)'); // the reference's
    expect(out).toContain('HTTP/2 SETTINGS frame · stream 0 · ACK · 0 bytes');
    /** The lines of the event on `lane` whose frame line matches `frame`, up to the next event. */
    const event = (lane: string, arrow: string, frame: RegExp) => {
      const events = out.split(/\n(?=\+\d+ms )/);
      return events.find((e) => new RegExp(`^\\+\\d+ms +${lane} +${arrow} `).test(e) && frame.test(e)) ?? `(no ${lane} ${arrow} event with ${frame})`;
    };
    // curl: connection 1, stream 1; its request decoded, the fixed response on the same lane.
    expect(event('c1/s1', '→', /HEADERS frame · stream 1 · END_STREAM END_HEADERS/)).toMatch(
      /\n +:method: GET\n +:path: \/via-curl\n[^]*\n +user-agent: curl\//,
    );
    const response = event('c1/s1', '←', /HEADERS frame · stream 1/);
    expect(response).toMatch(/\n +:status: 200\n +content-type: text\/plain; charset=utf-8\n/);
    expect(response).toContain('HTTP/2 DATA frame · stream 1 · END_STREAM · 15 bytes: "Hello, HTTP/2!\\n"');
    // node:http2: connection 2, streams 1 and 3 on lanes of their own, each with its own path.
    expect(event('c2/s1', '→', /HEADERS frame · stream 1/)).toMatch(/\n +:path: \/one\n[^]*\n +x-spy: \\xe9\n/);
    expect(event('c2/s3', '→', /HEADERS frame · stream 3/)).toMatch(/\n +:path: \/two\n/);
    expect(event('c2/s3', '←', /DATA frame · stream 3 · END_STREAM/)).not.toContain('stream 1');
    expect(out).toMatch(/HTTP\/2 GOAWAY frame · stream 0 · 8 bytes: last stream 0 · NO_ERROR \(0x0\)/); // node's goodbye
    // The page: the same lanes and lines, escaped.
    checkWellFormed(html);
    expect(html).toContain('<span class="who lane4">c2/s3</span>');
    expect(html).toContain('HTTP/2 DATA frame · stream 3 · END_STREAM · 15 bytes: &#34;Hello, HTTP/2!\\n&#34;');
    expect(html).toContain('<div class="summary">  :path: /two</div>');
  });

  test('carries 64 MiB to an echo reference and back, intact, through a reader that stalls, in bounded memory; FIN and RST reach the client as such', async () => {
    // socket-promises: the echo that waits for each write to drain, so backpressure reaches the writer.
    const spy = await startSpy('socket-promises');
    const spyPid = spy.running.child.pid!;
    try {
      // Warm up: one small exchange, so the baseline counts the spy's code, not its first connection.
      expect((await exchange(spy.port, Buffer.from('warm\n'), 'end')).bytes.toString()).toBe('warm\n');
      // A half-close passes as FIN: the echo answers what it got, then closes its side (FIN).
      const halfClosed = await exchange(spy.port, Buffer.from([0x00, 0xff, 0x0a]), 'end');
      expect(halfClosed).toEqual({ bytes: Buffer.from([0x00, 0xff, 0x0a]), by: 'fin' });
      // A reset passes as RST; the server lives on.
      const reset = await exchange(spy.port, Buffer.from('x'), 'reset');
      expect(reset.by).toBe('reset');
      expect((await exchange(spy.port, Buffer.from('after\n'), 'end')).bytes.toString()).toBe('after\n');

      // Then the memory: drawn before the 64 MiB, the lines above are not lost to the live limit.
      const baseline = rssOf(spyPid);
      let peak = baseline;
      let stalledAfter = -1;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(spyPid))), 20);
      try {
        const result = await stalledEcho(spy.port, 64 * 1024 * 1024, spyPid);
        stalledAfter = result.writtenBeforeStall;
        expect(result.received).toBe(result.sent);
        expect(result.sentDigest).toBe(result.receivedDigest);
        // How far the writer got before it stalled is the kernels' business (on Linux a receive
        // buffer grows to tcp_rmem's maximum, 32 MiB here): what the spy holds is checked below.
        peak = Math.max(peak, result.rssAtStall);
      } finally {
        clearInterval(sampler);
      }
      expect((peak - baseline) / 2 ** 20, `MiB the spy grew by while relaying 64 MiB each way (the writer stalled after ${stalledAfter} bytes)`).toBeLessThan(
        56,
      ); // measured: ~37 MiB (garbage awaiting GC); without backpressure ~78
    } finally {
      var { code } = await stopSpy(spy);
    }
    expect(code).toBe(0);
    expect(spy.running.out).toContain('client closed its side (FIN)');
    expect(spy.running.out).toContain('server closed its side (FIN)');
    expect(spy.running.out).toContain('client reset the connection (RST), passed on to the server');
    expect(spy.running.out).toMatch(/5 connections, 64(\.0)? MiB →, 64(\.0)? MiB ←\./);
  });
});

/** Whether a connection to the port is refused (nothing listens there). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Resident memory of a process, from /proc (Linux; 0 elsewhere, where the bound is not checked). */
function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Sends bytes, then `end`s (FIN) or `reset`s (RST) and returns what came back and how the connection ended. */
async function exchange(port: number, bytes: Buffer, then: 'end' | 'reset'): Promise<{ bytes: Buffer; by: 'fin' | 'rst' | 'reset' }> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const parts: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => parts.push(chunk));
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  if (then === 'reset') {
    socket.write(bytes);
    await new Promise((resolve) => socket.once('data', resolve)); // the echo came back: the server read it
    socket.resetAndDestroy();
    return { bytes: Buffer.concat(parts), by: 'reset' };
  }
  socket.end(bytes);
  return new Promise((resolve) => {
    socket.once('end', () => (socket.destroy(), resolve({ bytes: Buffer.concat(parts), by: 'fin' })));
    socket.once('error', () => resolve({ bytes: Buffer.concat(parts), by: 'rst' }));
  });
}

/**
 * Writes `total` bytes to the echo through the spy without reading, until the writes stall (no
 * 'drain' for 500 ms: every buffer on the way is full); then reads to the end.
 */
async function stalledEcho(port: number, total: number, spyPid: number) {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.pause();
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const block = randomBytes(1024 * 1024);
  const sentHash = createHash('sha256');
  const receivedHash = createHash('sha256');
  let received = 0;
  let writtenBeforeStall = -1;
  let rssAtStall = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      receivedHash.update(chunk);
      received += chunk.length;
      if (received === total) resolve();
    });
    socket.once('error', reject);
    socket.once('end', () => reject(new Error(`the connection ended after ${received} of ${total} bytes`)));
  });
  let written = 0;
  for (let i = 0; written < total; i++) {
    const chunk = Buffer.from(block);
    chunk.writeUInt32BE(i, 0); // each MiB differs, so a lost or repeated one changes the digest
    sentHash.update(chunk);
    written += chunk.length;
    if (socket.write(chunk)) continue;
    const drained = await Promise.race([new Promise((resolve) => socket.once('drain', () => resolve(true))), delay(500, false)]);
    if (drained || writtenBeforeStall >= 0) continue;
    writtenBeforeStall = written;
    rssAtStall = rssOf(spyPid);
    socket.resume(); // the reader wakes up
    await new Promise((resolve) => socket.once('drain', resolve));
  }
  if (writtenBeforeStall < 0) socket.resume(); // never stalled: the assertion on writtenBeforeStall says so
  await done;
  socket.end();
  return { sent: total, received, sentDigest: sentHash.digest('hex'), receivedDigest: receivedHash.digest('hex'), writtenBeforeStall, rssAtStall };
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Waits for a condition that events will make true, bounded. */
async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('the condition did not become true in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

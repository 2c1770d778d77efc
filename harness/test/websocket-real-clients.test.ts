// Real WebSocket clients against the references of Part 6: the `ws` npm client against the
// websocket-frames echo (text, binary, fragmented, 16 MiB, ping, close codes) and the chat;
// Python's `websockets` (Debian: python3-websockets) against the echo; and headless Chromium
// (Debian: chromium, driven by playwright-core) on the chat's own page, two pages talking.
// Loopback only, every run bounded. A missing Python module is skipped and says so in the test's
// name; the browser test may be skipped only outside CI (CI installs chromium).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { Program } from '../process/program.ts';
import { CHROMIUM, haveChromium, launchChromium } from './support/chromium.ts';
import { startReference } from './support/reference.ts';

function start(slug: string, args: string[] = []): Promise<{ program: Program; port: number }> {
  return startReference(slug, { args, startTimeoutMs: 15_000 });
}

/** Messages each client received and nobody has taken yet (a message may come before it is awaited). */
const inboxes = new WeakMap<WebSocket, { messages: Array<{ data: Buffer; binary: boolean }>; wake?: () => void }>();

/** Opens a ws client, waits for the handshake, and keeps every message it receives. */
function connect(url: string, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { maxPayload: 64 * 1024 * 1024 });
    const inbox: { messages: Array<{ data: Buffer; binary: boolean }>; wake?: () => void } = { messages: [] };
    inboxes.set(ws, inbox);
    ws.on('message', (data, binary) => {
      inbox.messages.push({ data: Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]), binary });
      inbox.wake?.();
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The next message: its data and whether it was binary. */
async function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  const inbox = inboxes.get(ws)!;
  const deadline = Date.now() + 20_000;
  while (inbox.messages.length === 0) {
    if (Date.now() > deadline) throw new Error('no message within 20 s');
    await new Promise<void>((wake) => {
      inbox.wake = wake;
      setTimeout(wake, 250);
    });
  }
  return inbox.messages.shift()!;
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('the ws client against the websocket-frames echo', () => {
  let echo: { program: Program; port: number };
  beforeAll(async () => {
    echo = await start('websocket-frames');
  });
  afterAll(async () => {
    await echo?.program.stop();
  });
  const url = () => `ws://127.0.0.1:${echo.port}/echo`;

  test('echoes text as text and binary as binary, with the subprotocol it speaks and no extension', async () => {
    const ws = await connect(url(), ['superchat', 'chat']);
    expect(ws.protocol).toBe('chat');
    expect(ws.extensions).toBe('');
    ws.send('Grüße, 你好 👋');
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('Grüße, 你好 👋'), binary: false });
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    ws.send(bytes);
    expect(await nextMessage(ws)).toEqual({ data: bytes, binary: true });
    const done = closed(ws);
    ws.close(1000, 'bye');
    expect(await done).toEqual({ code: 1000, reason: '' });
  });

  test('joins a fragmented message, and answers a ping between its fragments', async () => {
    const ws = await connect(url());
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.send('frag', { fin: false });
    ws.ping(Buffer.from('between'));
    expect((await pong).toString()).toBe('between');
    ws.send('ment', { fin: false });
    ws.send(' joined', { fin: true });
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('fragment joined'), binary: false });
    ws.terminate();
  });

  test('echoes a 16 MiB binary message and a 1 MiB text message', { timeout: 60_000 }, async () => {
    const ws = await connect(url());
    const big = randomBytes(16 * 1024 * 1024);
    ws.send(big);
    const back = await nextMessage(ws);
    expect(back.binary).toBe(true);
    expect(back.data.equals(big)).toBe(true);
    const text = 'é'.repeat(512 * 1024);
    ws.send(text);
    expect((await nextMessage(ws)).data.toString()).toBe(text);
    ws.terminate();
  });

  test('echoes the close codes a client may send', async () => {
    for (const code of [1000, 1001, 1003, 1011, 3000, 4000, 4999]) {
      const ws = await connect(url());
      const done = closed(ws);
      ws.close(code, 'with a reason');
      expect((await done).code).toBe(code);
    }
  });

  test('fails a message over --max-message with 1009', async () => {
    const small = await start('websocket-frames', ['--max-message', '1000']);
    try {
      const ws = await connect(`ws://127.0.0.1:${small.port}/echo`);
      const done = closed(ws);
      ws.on('error', () => undefined);
      ws.send(Buffer.alloc(1001));
      expect((await done).code).toBe(1009);
    } finally {
      await small.program.stop();
    }
  });
});

describe('the ws client against the websocket-chat reference', () => {
  let chat: { program: Program; port: number };
  beforeAll(async () => {
    chat = await start('websocket-chat');
  });
  afterAll(async () => {
    await chat?.program.stop();
  });

  test('two members join, talk both ways, and one leaves', async () => {
    const url = `ws://127.0.0.1:${chat.port}/chat`;
    const ann = await connect(url);
    ann.send(JSON.stringify({ type: 'join', name: 'ann', room: 'ws' }));
    expect(JSON.parse((await nextMessage(ann)).data.toString())).toMatchObject({ type: 'welcome', name: 'ann', users: ['ann'] });
    const bob = await connect(url);
    bob.send(JSON.stringify({ type: 'join', name: 'bob', room: 'ws' }));
    expect(JSON.parse((await nextMessage(bob)).data.toString())).toMatchObject({ type: 'welcome', users: ['ann', 'bob'] });
    expect(JSON.parse((await nextMessage(ann)).data.toString())).toMatchObject({ type: 'joined', name: 'bob' });
    bob.send(JSON.stringify({ type: 'message', text: 'hello ann' }));
    for (const ws of [ann, bob]) expect(JSON.parse((await nextMessage(ws)).data.toString())).toMatchObject({ type: 'message', from: 'bob', text: 'hello ann' });
    ann.send(JSON.stringify({ type: 'private', to: 'bob', text: 'hi bob' }));
    expect(JSON.parse((await nextMessage(bob)).data.toString())).toMatchObject({ type: 'private', from: 'ann', text: 'hi bob' });
    await nextMessage(ann);
    const done = closed(bob);
    bob.close(1000);
    expect((await done).code).toBe(1000);
    expect(JSON.parse((await nextMessage(ann)).data.toString())).toMatchObject({ type: 'left', name: 'bob' });
    ann.terminate();
  });
});

/** Debian's Python has Debian's modules (apt: python3-websockets); pyenv's python3 may not. */
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasWebsockets = spawnSync(python, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0;

const PYTHON_ECHO = `
import asyncio, sys, websockets

async def main(port):
    # websockets offers permessage-deflate by default: the server must decline it.
    async with websockets.connect(f"ws://127.0.0.1:{port}/echo", max_size=None) as ws:
        assert ws.response_headers.get("Sec-WebSocket-Extensions") is None, ws.response_headers
        await ws.send("héllo from python")
        assert await ws.recv() == "héllo from python"
        await ws.send(bytes(range(256)))
        assert await ws.recv() == bytes(range(256))
        await ws.send(["frag", "mented"])  # an iterable is sent as a fragmented message
        assert await ws.recv() == "fragmented"
        big = bytes(70000)
        await ws.send(big)
        assert await ws.recv() == big
        await (await ws.ping(b"py"))
        await ws.close(code=4000, reason="done")
        assert ws.close_code == 4000, ws.close_code
    print("ok")

asyncio.run(asyncio.wait_for(main(int(sys.argv[1])), 20))
`;

test.skipIf(!hasWebsockets)(
  `Python websockets: echo of text, binary, fragments and 70000 bytes, ping, close${hasWebsockets ? '' : ' (skipped: python3-websockets is not installed)'}`,
  async () => {
    const echo = await start('websocket-frames');
    try {
      const result = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(python, ['-c', PYTHON_ECHO, String(echo.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, out });
        });
      });
      expect(result.out.trim()).toBe('ok');
      expect(result.code).toBe(0);
    } finally {
      await echo.program.stop();
    }
  },
);

if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install it (.ci/run, APT_PACKAGES).`);

test.skipIf(!haveChromium)(
  `headless Chromium: two pages of the chat join, talk both ways, and one leaves${haveChromium ? '' : ' (skipped: /usr/bin/chromium is not installed; apt install chromium)'}`,
  { timeout: 120_000 },
  async () => {
    const chat = await start('websocket-chat');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-chromium-'));
    const context = await launchChromium(profile);
    try {
      const url = `http://127.0.0.1:${chat.port}/`;
      const join = async (name: string) => {
        const page = await context.newPage();
        await page.goto(url);
        await page.fill('input[name=name]', name);
        await page.fill('input[name=room]', 'browsers');
        await page.click('#join button');
        await page.waitForSelector('#say:not([hidden])', { timeout: 10_000 });
        return page;
      };
      const say = async (page: Awaited<ReturnType<typeof join>>, text: string) => {
        await page.fill('input[name=text]', text);
        await page.click('#say button');
      };
      const ann = await join('ann');
      const bob = await join('bob');
      await ann.waitForSelector('#log li:has-text("bob joined")', { timeout: 10_000 });
      await say(ann, 'hello from ann');
      await bob.waitForSelector('#log li:has-text("ann: hello from ann")', { timeout: 10_000 });
      await say(bob, 'hello back, ann 👋');
      await ann.waitForSelector('#log li:has-text("bob: hello back, ann 👋")', { timeout: 10_000 });
      await bob.close();
      await ann.waitForSelector('#log li:has-text("bob left")', { timeout: 10_000 });
      expect(await ann.textContent('#status')).toContain('You are ann in browsers');
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
      await chat.program.stop();
    }
  },
);

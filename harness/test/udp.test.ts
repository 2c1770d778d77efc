// The UDP pieces of the harness, on real sockets: Program waiting for a dgram bind (the preload
// reports it), the recording UdpClient, and datagrams in the transcript.

import dgram from 'node:dgram';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Program, ProgramStartError } from '../process/program.ts';
import { explainWireError } from '../testing/explain.ts';
import { LessonFailure } from '../testing/failure.ts';
import { renderWire } from '../check/render-wire.ts';
import { Transcript } from '../wire/transcript.ts';
import { UdpClient } from '../wire/udp.ts';
import { WireError } from '../wire/errors.ts';

const echoProgram = fileURLToPath(new URL('./fixtures/udp-echo.ts', import.meta.url));
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function start(args: string[] = []): Promise<Program> {
  const port = await freePort();
  const program = new Program({ entry: echoProgram, args: ['--port', String(port), ...args], transport: 'udp', port, startTimeoutMs: 8000 });
  cleanup.push(() => program.stop());
  return program;
}

/** An in-process echo socket (no child process), for the client-only tests. */
async function echoSocket(transform: (data: Buffer) => Buffer[] = (d) => [d]): Promise<number> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (data, rinfo) => {
    for (const reply of transform(data)) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanup.push(() => socket.close());
  return (socket.address() as AddressInfo).port;
}

async function client(port: number, transcript = new Transcript(), timeoutMs?: number): Promise<UdpClient> {
  const c = await UdpClient.open({ name: 'u1', port, transcript, timeoutMs, explain: explainWireError });
  cleanup.push(() => c.close());
  return c;
}

describe('Program with transport udp', () => {
  test('waits until the program binds its UDP port, and knows where', async () => {
    const program = await start();
    await program.waitUntilListening();
    expect(program.listening).toEqual({ host: '127.0.0.1', port: program.spec.port });
    const transcript = new Transcript();
    const c = await UdpClient.open({ name: 'u1', port: program.spec.port, transcript, peer: program });
    cleanup.push(() => c.close());
    await c.send('ping');
    await c.expect('ping');
  });

  test('says so when the program binds another port', async () => {
    const elsewhere = await freePort();
    const port = await freePort();
    const program = new Program({
      entry: echoProgram,
      args: ['--port', String(port), '--bind-port', String(elsewhere)],
      transport: 'udp',
      port,
      startTimeoutMs: 1500,
    });
    cleanup.push(() => program.stop());
    const error = await program.waitUntilListening().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProgramStartError);
    expect((error as ProgramStartError).start.elsewhere).toEqual({ host: '127.0.0.1', port: elsewhere });
    expect((error as Error).message).toContain(`listens on UDP 127.0.0.1 port ${elsewhere}`);
  });
});

describe('UdpClient', () => {
  test('records each datagram as its own event, empty ones too, and never merges them', async () => {
    const port = await echoSocket();
    const transcript = new Transcript();
    const c = await client(port, transcript);
    for (const data of ['one', 'two', '']) await c.send(data);
    for (const data of ['one', 'two', '']) await c.expect(data);
    const sends = transcript.events.filter((e) => e.kind === 'send');
    const recvs = transcript.events.filter((e) => e.kind === 'recv');
    expect(sends.map((e) => e.size)).toEqual([3, 3, 0]);
    expect(recvs.map((e) => e.size)).toEqual([3, 3, 0]);
    expect(transcript.events.every((e) => e.kind === 'note' || e.datagram)).toBe(true);
    const shown = renderWire(transcript.events).join('\n');
    expect(shown).toContain('datagram, 3 bytes');
    expect(shown).toContain('datagram, 0 bytes');
  });

  test('fails with a comparison when the datagram differs, and names a silence', async () => {
    const port = await echoSocket((d) => [Buffer.concat([d, Buffer.from('\n')])]);
    const c = await client(port, new Transcript(), 300);
    await c.send('abc');
    const wrong = await c.expect('abc').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(wrong).toBeInstanceOf(LessonFailure);
    expect((wrong as LessonFailure).message).toBe('Expected the datagram "abc", received "abc\\n".');
    expect((wrong as LessonFailure).learn.comparison?.offset).toBe(3);
    const silent = await c.receive().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((silent as Error).message).toBe('Expected a datagram within 0.3 s, received nothing.');
  });

  test('refuses a reply that comes from another port', async () => {
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.1', resolve));
    cleanup.push(() => stranger.close());
    const port = await echoSocket();
    const c = await client(port);
    stranger.send('hello', c.port, '127.0.0.1');
    const error = await c.expect('hello').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain(`Expected the reply to come from port ${port}`);
  });

  test('expectNothing fails on a datagram that should not come', async () => {
    const port = await echoSocket((d) => [d, d]);
    const c = await client(port);
    await c.send('twice');
    await c.expect('twice');
    const error = await c.expectNothing(200).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('Expected no more datagrams, received 1: "twice".');
  });
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-udp-quiet-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A UDP program whose 'message' handler is `onMessage` (JavaScript source; `socket`, `message`, `rinfo`, `fs` in scope). */
async function udpProgram(name: string, onMessage: string): Promise<Program> {
  const entry = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(
    entry,
    `import dgram from 'node:dgram';\nimport fs from 'node:fs';\nconst port = Number(process.argv[process.argv.indexOf('--port') + 1]);\n` +
      `const socket = dgram.createSocket('udp4');\nsocket.on('message', (message, rinfo) => {\n${onMessage}\n});\nsocket.bind(port, '127.0.0.1');\n`,
  );
  const port = await freePort();
  const program = new Program({ entry, args: ['--port', String(port)], transport: 'udp', port, startTimeoutMs: 20_000, name: 'the server' });
  cleanup.push(() => program.stop());
  await program.waitUntilListening();
  return program;
}

async function clientOf(program: Program, name = 'u1', timeoutMs = 3000): Promise<UdpClient> {
  const c = await UdpClient.open({ name, port: program.spec.port, transcript: new Transcript(), peer: program, timeoutMs });
  cleanup.push(() => c.close());
  return c;
}

async function failure(read: Promise<unknown>): Promise<WireError> {
  const error = await read.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WireError);
  return error as WireError;
}

const QUIET = /had been handed every datagram sent to it and was waiting for more, with no send pending and no timer due within the \d+(\.\d+)? s/;

describe.skipIf(process.platform !== 'linux')('the quiet proof for a UDP program', () => {
  test('a wait for a program that handled every datagram and sends nothing ends before its bound, saying so', async () => {
    const program = await udpProgram('silent', '');
    const c = await clientOf(program, 'u1', 10_000);
    await c.send('hello');
    const started = performance.now();
    const error = await failure(c.expect('hello'));
    expect(error.fact).toMatch(QUIET);
    expect(error.kind).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test("a program that answers later on its own is waited for: a timer (unref'd too), a file read, an immediate", async () => {
    const answers = {
      timer: 'setTimeout(() => socket.send(message, rinfo.port, rinfo.address), 300);',
      unrefTimer: 'setTimeout(() => socket.send(message, rinfo.port, rinfo.address), 300).unref();',
      fileRead: `fs.readFile(${JSON.stringify(path.join(dir, 'silent.mjs'))}, () => socket.send(message, rinfo.port, rinfo.address));`,
      immediates: 'let n = 0; const spin = () => (++n < 2000 ? setImmediate(spin) : socket.send(message, rinfo.port, rinfo.address)); spin();',
    };
    for (const [name, onMessage] of Object.entries(answers)) {
      const program = await udpProgram(name, onMessage);
      const c = await clientOf(program, name);
      await c.send(name);
      await c.expect(name);
      c.close();
    }
  });

  test('a window in which nothing may come ends once nothing can, and still sees what a timer sends', async () => {
    const silent = await udpProgram('silent-window', 'socket.send(message, rinfo.port, rinfo.address);');
    const c = await clientOf(silent);
    await c.send('once');
    await c.expect('once');
    const started = performance.now();
    await c.expectNothing(5000);
    expect(performance.now() - started).toBeLessThan(5000);
    c.close();
    const late = await udpProgram('late-window', 'setTimeout(() => socket.send(message, rinfo.port, rinfo.address), 200);');
    const d = await clientOf(late);
    await d.send('later');
    expect((await d.readFor(2000)).map((datagram) => datagram.data.toString())).toEqual(['later']);
  });

  test('no proof while another client is open', async () => {
    const silent = await udpProgram('two-clients', '');
    const c = await clientOf(silent, 'u1', 600);
    await clientOf(silent, 'u2');
    await c.send('hello');
    expect((await failure(c.expect('hello'))).fact).toBe('Expected a datagram of 5 bytes within 0.6 s, received nothing.');
  });

  test('no proof while a datagram the program sent has not reached the check', async () => {
    // It replies to port 9 (discard), where no one of the check's listens: the counts never meet.
    const astray = await udpProgram('astray', 'socket.send(message, 9, rinfo.address);');
    const c = await clientOf(astray, 'u1', 600);
    await c.send('hello');
    expect((await failure(c.expect('hello'))).fact).toBe('Expected a datagram of 5 bytes within 0.6 s, received nothing.');
  });
});

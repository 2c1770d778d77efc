// The quiet proof (process/quiet.ts, RawClient's waits): a wait for a program that has read
// everything and can do nothing until more input comes ends at once, with a fact that says so; a
// program that will still answer on its own (a timer, unref'd or not, socket.setTimeout, work on
// immediates) is waited for as long as the wait allows; and no proof is made while another
// connection could give the program input.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Program } from '../process/program.ts';
import { peerHasRead } from '../process/quiet.ts';
import { RawClient } from '../wire/client.ts';
import { WireError } from '../wire/errors.ts';
import { Transcript } from '../wire/transcript.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-quiet-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const programs: Program[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(programs.splice(0).map((program) => program.stop()));
});

/** A server whose connection handler is `onSocket` (JavaScript source, `socket` in scope). */
async function serve(name: string, onSocket: string): Promise<Program> {
  const entry = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(
    entry,
    `import net from 'node:net';\nimport fs from 'node:fs';\nimport zlib from 'node:zlib';\nimport crypto from 'node:crypto';\nimport { pbkdf2 } from 'node:crypto';\nconst port = Number(process.argv[process.argv.indexOf('--port') + 1]);\n` +
      `net.createServer((socket) => {\n${onSocket}\n}).listen(port, '127.0.0.1');\n`,
  );
  const port = await freePort();
  const program = new Program({ entry, args: ['--port', String(port)], transport: 'tcp', port, startTimeoutMs: 20_000, name: 'the server' });
  programs.push(program);
  await program.waitUntilListening();
  return program;
}

async function connect(program: Program, name = 'c1', timeoutMs = 3000): Promise<RawClient> {
  const client = await RawClient.connect({ name, port: program.spec.port, transcript: new Transcript(), peer: program, timeoutMs });
  clients.push(client);
  return client;
}

async function failure(read: Promise<unknown>): Promise<WireError> {
  const error = await read.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WireError);
  return error as WireError;
}

const QUIET = /was waiting for more input, with no write pending and no timer due within the \d+(\.\d+)? s/;

describe.skipIf(process.platform !== 'linux')('a wait for a program that went quiet', () => {
  test('ends before its bound, saying the program read everything and waits for input', async () => {
    const program = await serve('silent', `socket.on('data', () => {});`);
    const client = await connect(program, 'c1', 10_000);
    await client.send('hello\n');
    const started = performance.now();
    const error = await failure(client.expect('hello\n'));
    expect(error.fact).toMatch(QUIET);
    expect(error.kind).toBe('timeout');
    // The bound is 10 s; the proof came long before it (no timing beyond that).
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test('ends so too when the program has a timer due only after the bound (an idle timeout)', async () => {
    const program = await serve('idle-timer', `socket.setTimeout(60_000, () => socket.end()); socket.on('data', () => {});`);
    const client = await connect(program, 'c1', 3000);
    await client.send('hello\n');
    expect((await failure(client.expect('hello\n'))).fact).toMatch(QUIET);
  });

  test('a window in which nothing may come (readFor) ends once nothing can, and still sees what a timer sends', async () => {
    const silent = await serve('silent-window', `socket.on('data', () => {});`);
    const client = await connect(silent);
    await client.send('hello\n');
    const started = performance.now();
    expect((await client.readFor(20_000)).length).toBe(0);
    expect(performance.now() - started).toBeLessThan(20_000);
    client.destroy();
    const late = await serve('late-window', `socket.on('data', () => setTimeout(() => socket.write('late\\n'), 300).unref());`);
    const other = await connect(late);
    await other.send('hello\n');
    expect((await other.readFor(1500)).toString()).toBe('late\n');
  });

  test.each([
    ['FIN', `socket.on('data', () => socket.end());`, 'fin'],
    ['RST', `socket.on('data', () => socket.resetAndDestroy());`, 'rst'],
  ])('a window ends with the close the program sent (%s) seen, never before it', async (_kind, handler, state) => {
    const program = await serve(`closes-${state}`, handler);
    const client = await connect(program);
    await client.send('hello\n');
    await client.readFor(2000);
    expect(client.state).toBe(state);
  });

  test.each([
    ['a timer', `socket.on('data', () => setTimeout(() => socket.write('late\\n'), 400));`],
    ["an unref'd timer", `socket.on('data', () => setTimeout(() => socket.write('late\\n'), 400).unref());`],
    ['socket.setTimeout (an idle timer Node keeps unref’d)', `socket.setTimeout(400, () => socket.write('late\\n'));`],
    ['work on immediates', `socket.on('data', () => { let n = 0; const step = () => (++n < 2000 ? setImmediate(step) : socket.write('late\\n')); step(); });`],
    ['a file read', `socket.on('data', () => fs.readFile(process.execPath, () => socket.write('late\\n')));`],
    ['compression on the thread pool (zlib)', `socket.on('data', () => zlib.gzip(Buffer.alloc(64 * 1024 * 1024, 7), () => socket.write('late\\n')));`],
    [
      'a zlib stream',
      `socket.on('data', () => { const gzip = zlib.createBrotliCompress(); gzip.on('data', () => {}); gzip.on('end', () => socket.write('late\\n')); gzip.end(Buffer.alloc(16 * 1024 * 1024, 7)); });`,
    ],
    [
      'key derivation on the thread pool (crypto.scrypt)',
      `socket.on('data', () => crypto.scrypt('secret', 'salt', 64, { N: 2 ** 16, maxmem: 2 ** 28 }, () => socket.write('late\\n')));`,
    ],
    ['a named import of crypto (pbkdf2)', `socket.on('data', () => pbkdf2('secret', 'salt', 400_000, 64, 'sha512', () => socket.write('late\\n')));`],
    [
      'Web Crypto (crypto.subtle)',
      `socket.on('data', () => crypto.subtle.digest('SHA-512', Buffer.alloc(64 * 1024 * 1024, 7)).then(() => socket.write('late\\n')));`,
    ],
  ])('is waited out when the program still answers on its own: %s', async (_name, handler) => {
    const program = await serve(`late-${_name.length}`, handler);
    // What is proved is that no early "quiet" ends the wait: the work itself may take seconds on a
    // busy machine, so the wait's bound is long.
    const client = await connect(program, 'c1', 30_000);
    await client.send('hello\n');
    await client.expect('late\n');
  });

  test('is not proved while another connection could give the program input', async () => {
    const program = await serve('silent-two', `socket.on('data', () => {});`);
    const client = await connect(program, 'c1', 800);
    await connect(program, 'c2');
    await client.send('hello\n');
    const error = await failure(client.expect('hello\n'));
    expect(error.fact).toMatch(/within 0.8 s/);
  });

  test('is not proved while the program is busy (its event loop answers nothing)', async () => {
    const program = await serve('busy', `socket.on('data', () => { const end = Date.now() + 2000; while (Date.now() < end); });`);
    const client = await connect(program, 'c1', 800);
    await client.send('hello\n');
    const error = await failure(client.expect('hello\n'));
    expect(error.fact).toMatch(/within 0.8 s/);
  });
});

describe.skipIf(process.platform !== 'linux')('whether the other end has read what was sent (peerHasRead)', () => {
  test('false while the bytes wait in its queue, true once it has read them; undefined for no such connection', async () => {
    let accepted: net.Socket | undefined;
    const server = net.createServer({ pauseOnConnect: true }, (socket) => (accepted = socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const client = net.connect({ host: '127.0.0.1', port });
    try {
      await new Promise((resolve) => client.once('connect', resolve));
      client.write('x');
      for (let i = 0; i < 100 && !accepted; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(peerHasRead(client.localPort!, port)).toBe(false); // paused: the byte waits in the kernel
      const read = new Promise((resolve) => accepted!.once('data', resolve));
      accepted!.resume();
      await read;
      expect(peerHasRead(client.localPort!, port)).toBe(true);
      expect(peerHasRead(1, 2)).toBeUndefined();
    } finally {
      client.destroy();
      accepted?.destroy();
      server.close();
    }
  });
});

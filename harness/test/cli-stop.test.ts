// Ctrl-C on `learn run` and `learn spy`, without a terminal: the signal is passed on to the
// program (which runs in a process group of its own, so a terminal's Ctrl-C never reaches it),
// the program gets a grace period to end by itself, and then it and everything it started are
// killed. Lesson 19's reference shuts down as its README says: every client gets close 1001.

import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { STOP_GRACE_MS } from '../cli/lesson-program.ts';
import { SAME_SIGNAL_MS } from '../cli/signal-exit.ts';
import { freePort } from '../process/free-port.ts';
import { alive, Workbook, type Running } from './workbook.ts';

let book: Workbook;
beforeAll(() => void (book = new Workbook()));
// A test that fails before its program is stopped (learn itself killed, say) leaves nothing running.
afterAll(async () => {
  await book?.stopAll();
  book?.remove();
});

/** The pids of the programs this copy's `learn` started and still remembers as running. */
function remembered(): number[] {
  const dir = `${book.root}/.learn/run`;
  return fs.existsSync(dir) ? fs.readdirSync(dir).map(Number) : [];
}

/** Linux: the remembered program told to listen on `port` (other tests of this file run theirs beside it). */
function programOn(port: number): number | undefined {
  return remembered().find((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(` --port ${port} `);
    } catch {
      return false;
    }
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(true));
  });
}

/** A connection to the chat over `ws` (every open connection is told of a shutdown, joined or not); `closed` resolves with the close code and reason it is given. */
async function connectToChat(port: number): Promise<{ closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { closed };
}

/**
 * SIGINT to `learn` as Ctrl-C under `npx` sends it: twice at once, from the terminal and from npm,
 * which passes it on to the command it runs. Resolves with its exit code.
 */
async function interrupt(running: Running): Promise<number | null> {
  running.child.kill('SIGINT');
  // A moment apart, as npm's comes after the terminal's: sent at once, the two would merge into one
  // (a signal already pending is not queued again).
  setTimeout(() => running.child.kill('SIGINT'), 50);
  return running.closed;
}

// Bounded by the start (up to 30 s on a loaded machine), the grace period and the kill.
describe.concurrent('Ctrl-C is passed on to the program', { timeout: 60_000 }, () => {
  test('learn run websocket-chat: the chat closes every connection with 1001, and nothing is left running', async () => {
    const port = await freePort();
    const running = book.spawn(['run', 'websocket-chat', '--solution', '--port', String(port)]);
    await running.until(/listens on 127\.0\.0\.1:\d+/, 30_000);
    // Which program is ours is read from /proc (Linux); elsewhere the port's refusal below must do.
    const pid = process.platform === 'linux' ? programOn(port) : undefined;
    if (process.platform === 'linux') expect(pid, 'the program is remembered as running').toBeDefined();
    const member = await connectToChat(port);
    const code = await interrupt(running);
    // RFC 6455 §7.4.1: 1001, going away. A killed server would drop the connection: 1006 here.
    expect(await member.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(code, running.out + running.err).toBe(0);
    expect(running.out).toContain(`SIGINT: passed on to the reference server, which has ${STOP_GRACE_MS / 1000} s to end by itself`);
    expect(running.out).toMatch(/│ SIGINT: closing every connection with 1001/); // the program's own output: it saw the signal
    expect(running.out).toMatch(/Stopped: the reference server exited with code 0, \d+ ms after SIGINT\./);
    if (pid !== undefined) expect(alive(pid)).toBe(false);
    if (pid !== undefined) expect(remembered()).not.toContain(pid);
    expect(await refused(port)).toBe(true);
  });

  test('learn spy websocket-chat: the 1001 close passes through the relay, and the page records it', async () => {
    const port = await freePort();
    const running = book.spawn(['spy', 'websocket-chat', '--solution', '--port', String(port)]);
    await running.until(/Spy listens on 127\.0\.0\.1:\d+/, 30_000);
    const serverPort = Number(/server on 127\.0\.0\.1:(\d+)\./.exec(running.out)?.[1]);
    const member = await connectToChat(port);
    const code = await interrupt(running);
    expect(await member.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(code, running.out + running.err).toBe(0);
    expect(running.out).toMatch(/Stopped: the reference server exited with code 0, \d+ ms after SIGINT\./);
    const page = /The session, as a page: (\S+)/.exec(running.out)?.[1];
    expect(fs.readFileSync(`${book.root}/${page}`, 'utf8')).toMatch(/WebSocket close frame · FIN · unmasked · 1001 \(going away\)/);
    expect(await refused(serverPort)).toBe(true);
  });

  // A program that ignores SIGINT, with a child of its own that ignores it too (args after `--`).
  const STUBBORN = `
import { spawn } from 'node:child_process';
import net from 'node:net';
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const ignore = process.argv.includes('--ignore');
const child = spawn(process.execPath, ['-e', "process.on('SIGINT', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
process.on('SIGINT', () => (ignore ? console.log('SIGINT: ignored') : process.exit(0)));
net.createServer((socket) => socket.end(\`\${child.pid}\\n\`)).listen(port, '127.0.0.1');
`;

  /** The workbook with the stubborn program as the learner's tcp-echo server (written once). */
  const stubborn = () => {
    const file = book.lessonFile('01-tcp-echo', 'server.ts');
    if (fs.readFileSync(file, 'utf8') !== STUBBORN) fs.writeFileSync(file, STUBBORN);
    return book;
  };

  async function childOf(port: number): Promise<number> {
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      const socket = net.connect(port, '127.0.0.1');
      socket
        .on('data', (chunk) => (got += chunk))
        .on('end', () => resolve(got))
        .on('error', reject);
    });
    return Number(text.trim());
  }

  test('a program that ignores SIGINT is killed after the grace period, with the process it started', async () => {
    const copy = stubborn();
    const port = await freePort();
    const running = copy.spawn(['run', 'tcp-echo', '--port', String(port), '--', '--ignore']);
    await running.until(/listens on 127\.0\.0\.1:\d+/, 30_000);
    const grandchild = await childOf(port);
    expect(alive(grandchild)).toBe(true);
    const sent = performance.now();
    const code = await interrupt(running);
    const took = performance.now() - sent;
    expect(code, running.out + running.err).toBe(0);
    expect(running.out).toContain('│ SIGINT: ignored');
    expect(running.out).toContain(`Your server did not end within ${STOP_GRACE_MS / 1000} s of SIGINT: killing it and everything it started.`);
    expect(running.out).toContain('Stopped: your server was killed.');
    expect(took).toBeGreaterThanOrEqual(STOP_GRACE_MS);
    expect(alive(grandchild)).toBe(false);
    expect(await refused(port)).toBe(true);
  });

  test('a Ctrl-C that keeps coming after the program has ended never ends learn by a signal', async () => {
    const copy = stubborn();
    const port = await freePort();
    const running = copy.spawn(['run', 'tcp-echo', '--port', String(port)]);
    await running.until(/listens on 127\.0\.0\.1:\d+/, 30_000);
    running.child.kill('SIGINT');
    // On a busy machine npm's copy of the Ctrl-C can come at any moment of learn's last steps, even
    // as it exits: here one every few milliseconds, from the last line until learn is gone.
    await running.until(/Stopped: your server exited with code 0/);
    const burst = setInterval(() => running.child.kill('SIGINT'), 2);
    try {
      expect(await running.closed, running.out + running.err).toBe(0);
    } finally {
      clearInterval(burst);
    }
  });

  test('a second Ctrl-C, a moment after the first, kills the program at once', async () => {
    const copy = stubborn();
    const port = await freePort();
    const running = copy.spawn(['run', 'tcp-echo', '--port', String(port), '--', '--ignore']);
    await running.until(/listens on 127\.0\.0\.1:\d+/, 30_000);
    const grandchild = await childOf(port);
    const first = performance.now();
    running.child.kill('SIGINT');
    await running.until(/│ SIGINT: ignored/);
    // Later than the same Ctrl-C passed on twice: a person pressing it again.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, first + SAME_SIGNAL_MS + 100 - performance.now())));
    const again = performance.now();
    running.child.kill('SIGINT');
    expect(await running.closed, running.out + running.err).toBe(0);
    expect(running.out).toContain('SIGINT again: killing your server now.');
    expect(running.out).not.toContain('did not end within');
    expect(performance.now() - again).toBeLessThan(STOP_GRACE_MS);
    expect(alive(grandchild)).toBe(false);
  });

  test('a program that ends by itself on SIGINT: what it started and left running is killed too', async () => {
    const copy = stubborn();
    const port = await freePort();
    const running = copy.spawn(['run', 'tcp-echo', '--port', String(port)]);
    await running.until(/listens on 127\.0\.0\.1:\d+/, 30_000);
    const grandchild = await childOf(port);
    const code = await interrupt(running);
    expect(code, running.out + running.err).toBe(0);
    expect(running.out).toMatch(/Stopped: your server exited with code 0, \d+ ms after SIGINT\./);
    expect(alive(grandchild)).toBe(false);
  });
});

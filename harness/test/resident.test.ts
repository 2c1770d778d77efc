// The resident check process (harness/resident/): real `learn check` processes in a copy of the
// workbook, a real server on its Unix socket. A check it serves prints what an in-process check
// prints, sees the learner's files as they are now, is refused when stale, and Ctrl-C or a killed
// client stops the check's programs and leaves it ready for the next. Every check here traces
// (LEARN_TRACE is part of the staleness key, so all of them alike): the trace says who ran it.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { alive, endResident, Running, Workbook, type Run } from './workbook.ts';

let book: Workbook;
beforeAll(() => void (book = new Workbook()));
afterAll(() => book?.remove());

/** Resident on (Workbook turns it off), traced. */
const ON = { LEARN_RESIDENT: undefined, LEARN_TRACE: '1' };
const OFF = { LEARN_RESIDENT: 'off', LEARN_TRACE: '1' };

/** The resident process's pid, once it listens (it starts after the first check shows its result). */
async function residentPid(ms = 30_000, root = book.root): Promise<number> {
  const info = path.join(root, '.learn', 'resident.json');
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const { pid, socket } = JSON.parse(fs.readFileSync(info, 'utf8')) as { pid: number; socket: string };
      if (fs.existsSync(socket) && alive(pid)) return pid;
    } catch {
      // Not yet.
    }
    await sleep(50);
  }
  throw new Error(`No resident check process listened within ${ms} ms. Its log:\n${readLog()}`);
}

/** The resident process, started by a first check if none listens (so that each test can run alone). */
async function resident(): Promise<number> {
  const info = path.join(book.root, '.learn', 'resident.json');
  if (!fs.existsSync(info)) book.learn(['check', 'tcp-echo', '--solution'], ON);
  return residentPid();
}

function readLog(): string {
  try {
    return fs.readFileSync(path.join(book.root, '.learn', 'resident.log'), 'utf8');
  } catch {
    return '(none)';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a process sent SIGKILL may take to be gone from /proc on a loaded machine. */
const KILL_SETTLE_MS = 3000;

/** Waits (bounded) until `condition` holds. */
async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Expected ${what} within ${ms} ms.`);
    await sleep(50);
  }
}

/** Who ran the check: the resident process took it, or this process ran it (having loaded Vitest). */
function ranBy(run: { err: string }): 'resident' | 'in-process' | 'unknown' {
  if (/\[trace\]\s+\d+ ms {2}resident: accepted/.test(run.err)) return 'resident';
  if (/\[trace\]\s+\d+ ms {2}vitest\/node loaded/.test(run.err)) return 'in-process';
  return 'unknown';
}

/**
 * What the learner sees, with what differs from run to run anyway taken out: numbers (durations,
 * ports, times on the wire). Words, lines, colours (as <codes>) and their order stay.
 */
function seen(run: Run): string {
  const err = run.err
    .split('\n')
    .filter((line) => !line.startsWith('[trace]'))
    .join('\n');
  return `${run.out}\n--- stderr ---\n${err}`
    .replace(/\x1b\[([\d;]*)m/g, (_, code: string) => `<${code.replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)}>`)
    .replace(/ *\d+(\.\d+)?(?: ?m?s\b)? */g, '#'); // and the padding and unit that depend on them
}

/** The pids of programs the copy's checks started and still remember as running. */
function remembered(): number[] {
  const dir = path.join(book.root, '.learn', 'run');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map(Number) : [];
}

/** The learner's tcp-echo servers (SILENT) that have started, by the pids they wrote down. */
function echoPrograms(): number[] {
  const dir = path.join(book.root, 'silent');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map(Number) : [];
}

// One copy, one resident process, checks one after another: they share it on purpose.
describe('the resident check process', { timeout: 180_000 }, () => {
  test('a second check is served by it, and prints what an in-process check prints: a pass, without colour and with', async () => {
    const first = book.learn(['check', 'tcp-echo', '--solution'], ON);
    expect(first.code, first.out + first.err).toBe(0);
    expect(ranBy(first)).toBe('in-process');
    const pid = await residentPid();
    for (const colour of [{}, { NO_COLOR: undefined, FORCE_COLOR: '1' }]) {
      const served = book.learn(['check', 'tcp-echo', '--solution'], { ...ON, ...colour });
      const local = book.learn(['check', 'tcp-echo', '--solution'], { ...OFF, ...colour });
      expect(ranBy(served), served.err).toBe('resident');
      expect(ranBy(local)).toBe('in-process');
      expect(served.code).toBe(0);
      expect(local.code).toBe(0);
      expect(seen(served)).toBe(seen(local));
      if ('FORCE_COLOR' in colour) expect(served.out).toContain('\x1b[');
      else expect(served.out).not.toContain('\x1b[');
    }
    expect(alive(pid)).toBe(true);
  });

  test("a failure prints the same through it (the learner's stub, a seed given), with the same exit code", async () => {
    await resident();
    for (const colour of [{}, { NO_COLOR: undefined, FORCE_COLOR: '1' }]) {
      const served = book.learn(['check', 'tcp-echo', '--seed', '7'], { ...ON, ...colour });
      const local = book.learn(['check', 'tcp-echo', '--seed', '7'], { ...OFF, ...colour });
      expect(ranBy(served), served.err).toBe('resident');
      expect(served.code).toBe(1);
      expect(local.code).toBe(1);
      expect(served.out).toContain('✗');
      expect(seen(served)).toBe(seen(local));
    }
  });

  test("a learner's file changed between two checks is seen: a module the tests import (lesson 3) and a program (lesson 1)", async () => {
    await resident();
    book.solve('02-socket-promises'); // lesson 3 builds on it
    const files = ['buffer.ts', 'server.ts'].map((name) => book.lessonFile('03-line-protocol', name));
    const stubs = files.map((file) => fs.readFileSync(file, 'utf8'));
    const failing = book.learn(['check', 'line-protocol'], ON);
    expect(ranBy(failing), failing.err).toBe('resident');
    expect(failing.code, failing.out).toBe(1);
    book.solve('03-line-protocol');
    const passing = book.learn(['check', 'line-protocol'], ON);
    expect(ranBy(passing), passing.err).toBe('resident');
    expect(passing.code, passing.out).toBe(0);
    files.forEach((file, i) => fs.writeFileSync(file, stubs[i]!));
    const again = book.learn(['check', 'line-protocol'], ON);
    expect(ranBy(again), again.err).toBe('resident');
    expect(again.code, again.out).toBe(1);

    book.solve('01-tcp-echo');
    const solved = book.learn(['check', 'tcp-echo'], ON);
    expect(ranBy(solved), solved.err).toBe('resident');
    expect(solved.code, solved.out).toBe(0);
    expect(book.readState().passed).toHaveProperty('tcp-echo'); // progress recorded, as in-process
  });

  test('a stale key (a reference changed on disk) makes the client run in-process, and the stale process exits', async () => {
    const pid = await resident();
    const file = book.solutionFile('01-tcp-echo', 'server.ts');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    const run = book.learn(['check', 'tcp-echo', '--solution'], ON);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.err).toMatch(/resident: stale/);
    expect(ranBy(run)).toBe('in-process');
    await until(() => !alive(pid), 'the stale process to exit');
    const fresh = await residentPid();
    expect(fresh).not.toBe(pid);
  });

  /** The learner's tcp-echo server: accepts, never echoes (a check that waits), and says its pid. */
  const SILENT = () => `import fs from 'node:fs';
import net from 'node:net';
fs.mkdirSync(${JSON.stringify(path.join(book.root, 'silent'))}, { recursive: true });
fs.writeFileSync(${JSON.stringify(path.join(book.root, 'silent'))} + '/' + process.pid, '');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
net.createServer(() => {}).listen(port, '127.0.0.1');
`;

  /** A check of a server that never answers, served by the resident process, with its program running. */
  async function servedSilentCheck(): Promise<{ pid: number; running: Running; programs: number[] }> {
    const pid = await resident();
    fs.rmSync(path.join(book.root, 'silent'), { recursive: true, force: true });
    fs.writeFileSync(book.lessonFile('01-tcp-echo', 'server.ts'), SILENT());
    const running = book.spawn(['check', 'tcp-echo'], ON);
    await until(() => echoPrograms().length > 0 && running.err.includes('resident: accepted'), 'the check to start its program');
    return { pid, running, programs: echoPrograms() };
  }

  test('Ctrl-C in the client stops the check and its program, exits 130, and the process serves the next check', async () => {
    const { pid, running, programs } = await servedSilentCheck();
    running.child.kill('SIGINT');
    // npm passes the terminal's Ctrl-C on a moment later; on a busy machine that moment can fall
    // anywhere, even as the client exits: here one every few milliseconds until it is gone.
    const burst = setInterval(() => running.child.kill('SIGINT'), 2);
    try {
      expect(await running.closed, running.out + running.err).toBe(130);
    } finally {
      clearInterval(burst);
    }
    // Killed (SIGKILL) before the exit code was sent; gone once the kernel has run its exit, which
    // on a loaded machine can take a moment (as for an in-process check's reapStrays and exit).
    await until(() => programs.every((program) => !alive(program)), `programs ${programs.join(', ')} to be gone`, KILL_SETTLE_MS);
    expect(alive(pid)).toBe(true);
    book.solve('01-tcp-echo');
    const next = await nextServed(['check', 'tcp-echo']);
    expect(next.code, next.out + next.err).toBe(0);
  });

  test('a killed client leaves no program running, and the process serves the next check', async () => {
    const { pid, running, programs } = await servedSilentCheck();
    running.child.kill('SIGKILL');
    await running.closed;
    await until(() => programs.every((program) => !alive(program)), 'the programs of the killed client to be stopped');
    expect(alive(pid)).toBe(true);
    book.solve('01-tcp-echo');
    const next = await nextServed(['check', 'tcp-echo']);
    expect(next.code, next.out + next.err).toBe(0);
  });

  const hasScript = process.platform === 'linux' && spawnSync('script', ['-qfec', 'true', '/dev/null']).status === 0;

  test.skipIf(!hasScript)('in a terminal, "What now?" after a pass it served is asked by the client and answered from its keyboard', async () => {
    await resident();
    book.solve('01-tcp-echo');
    // util-linux `script` gives `learn` a terminal, as cli-terminal.test.ts does.
    const command = [process.execPath, book.bin, 'check', 'tcp-echo'].map((a) => `'${a}'`).join(' ');
    const env = book.env({ ...ON, CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined });
    const check = new Running(spawn('script', ['-qfec', command, '/dev/null'], { cwd: book.root, env }));
    await check.until(/What now\?.*\(any other key, or 30 s: done\)/, 90_000);
    expect(check.out).toMatch(/resident: accepted/);
    expect(check.out).toMatch(/\x1b\[[0-9;]*m/); // the client's terminal has colour: so has the served output
    check.child.stdin.write('d');
    expect(await check.closed).toBe(0);
    expect(check.out).toMatch(/→ .*your code beside the reference/);
    expect(check.out).toMatch(/identical/); // what `learn diff tcp-echo` says, run in the client
  });

  test('two checks at once: one is served, the other runs in-process, both correct', async () => {
    await resident();
    const a = book.spawn(['check', 'tcp-echo', '--solution'], ON);
    const b = book.spawn(['check', 'line-protocol', '--solution'], ON);
    const [codeA, codeB] = await Promise.all([a.closed, b.closed]);
    expect(codeA, a.out + a.err).toBe(0);
    expect(codeB, b.out + b.err).toBe(0);
    expect([ranBy(a), ranBy(b)].sort()).toEqual(['in-process', 'resident']);
    expect(a.out).toMatch(/All \d+ checks passed/);
    expect(b.out).toMatch(/All \d+ checks passed/);
  });

  test('it exits by itself when idle (LEARN_RESIDENT_IDLE_MS), leaving no zygote behind', async () => {
    const old = await resident();
    // Another idle time is another key: the old process is stale and goes; the new one idles out.
    const run = book.learn(['check', 'tcp-echo', '--solution'], { ...ON, LEARN_RESIDENT_IDLE_MS: '1500' });
    expect(run.code, run.out + run.err).toBe(0);
    const pid = await residentPid();
    expect(pid).not.toBe(old);
    await until(() => !alive(pid), 'the idle process to exit', 30_000);
    expect(readLog()).toMatch(new RegExp(`\\[${pid}\\] exiting: idle for 1.5 s`));
    expect(fs.existsSync(path.join(book.root, '.learn', 'resident.json'))).toBe(false);
    await until(() => remembered().every((program) => !alive(program)), 'its zygote to be gone');
    endResident(book.root);
  });

  test.runIf(process.platform === 'linux')('started by a check, it keeps a zygote ready for each program that check started (lesson 10: 4)', async () => {
    const run = book.learn(['check', 'keep-alive', '--solution'], ON);
    expect(run.code, run.out + run.err).toBe(0);
    expect(ranBy(run)).toBe('in-process');
    const programs = run.err.match(/\[trace\]\s+\d+ ms {2}program \d+ started/g)?.length ?? 0;
    expect(programs).toBe(4);
    const pid = await residentPid();
    // Two (one per worker) unless told: the test fails without the count passed on.
    await until(() => zygotesOf(pid).length === programs, `${programs} zygotes of the resident process`, 30_000);
    await sleep(500);
    expect(zygotesOf(pid)).toHaveLength(programs);
    endResident(book.root);
  });
});

/** The zygotes (process/zygote.ts, not yet told what to run) whose parent is `parent`. */
function zygotesOf(parent: number): number[] {
  return fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      return status.includes(`\nPPid:\t${parent}\n`) && cmdline.includes('process/zygote.ts') ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

test('it never outlives its clone: deleted, it exits within seconds', { timeout: 180_000 }, async () => {
  const other = new Workbook();
  try {
    const run = other.learn(['check', 'tcp-echo', '--solution'], ON);
    expect(run.code, run.out + run.err).toBe(0);
    const pid = await residentPid(30_000, other.root);
    // Once it is warm (while it warms, Vitest writes its module cache there), as a clone deleted
    // between checks; retried all the same (its log, its zygote's record).
    const log = path.join(other.root, '.learn', 'resident.log');
    await until(() => fs.readFileSync(log, 'utf8').includes(`[${pid}] warm`), 'it to be warm', 30_000);
    fs.rmSync(other.root, { recursive: true, force: true, maxRetries: 10 });
    await until(() => !alive(pid), 'the process of the deleted clone to exit');
  } finally {
    other.remove(); // ends it if the test failed
  }
});

/**
 * The next check, served by the resident process: right after a stopped run it may still be
 * tearing that run down (busy: the check then runs in-process), so this waits until it is served.
 */
async function nextServed(args: string[]): Promise<Run> {
  for (let attempt = 0; ; attempt++) {
    const run = book.learn(args, ON);
    if (ranBy(run) === 'resident' || attempt === 5) {
      expect(ranBy(run), run.err).toBe('resident');
      return run;
    }
    await sleep(500);
  }
}

// The learner's program started by the check runner's host and adopted by a test (process/host.ts,
// process/adopt.ts), as `learn check` does it: the same failures, explained the same way, as a
// program the test starts itself (broken-programs.test.ts), and nothing left running. Host and
// adopter talk over a BroadcastChannel, which works within one thread too.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { adoptProgram } from '../process/adopt.ts';
import { freePort } from '../process/free-port.ts';
import { HOST_ENV, ProgramHost, type ProgramKey } from '../process/host.ts';
import { ProgramStartError, type Program } from '../process/program.ts';
import { explainStartError, explainWireError } from '../testing/explain.ts';
import { LessonFailure } from '../testing/failure.ts';
import { RawClient } from '../wire/client.ts';
import { Transcript } from '../wire/transcript.ts';

const programs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'programs');
const host = new ProgramHost({ freePort, keepWarm: true });
process.env[HOST_ENV] = host.channelName;

afterAll(async () => {
  await host.close();
});

const key = (name: string): ProgramKey => ({ entry: path.join(programs, `${name}.ts`), args: [], transport: 'tcp' });

function adopt(name: string, startTimeoutMs = 3000): Promise<Program> {
  return adoptProgram(key(name), { startTimeoutMs, name: 'your server' });
}

/** The process layer throws the fact as data (ProgramStartError); the checks' layer explains it. */
async function failureOf(promise: Promise<unknown>): Promise<LessonFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProgramStartError)) {
    expect(error).toBeInstanceOf(LessonFailure);
    return error as LessonFailure;
  }
  const failure = explainStartError(error);
  expect(failure).toBeInstanceOf(LessonFailure);
  expect(failure.message).toBe(error.message);
  return failure;
}

/**
 * The port the listens-elsewhere program says it listens on: it prints it once it does, on stdout,
 * which may arrive after the harness heard of the listen over IPC (waited for, a minute at most).
 */
async function listensOn(program: Program): Promise<number> {
  const said = () => program.output.map((line) => /^told (\d+), listening on (\d+)$/.exec(line.text)).find((match) => match != null);
  for (let i = 0; i < 3000 && !said() && !program.exit; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(said()?.[1]).toBe(String(program.spec.port));
  return Number(said()![2]);
}

/** Alive and not a zombie. */
function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

async function gone(pid: number | undefined): Promise<boolean> {
  for (let i = 0; i < 40 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isRunning(pid);
}

describe('a program the host started, adopted by the test', () => {
  test('offered before it is asked for: adopted already listening, with its args, and it answers', async () => {
    await host.offer(key('tells-argv'));
    const program = await adopt('tells-argv');
    await program.waitUntilListening();
    expect(program.listening?.port).toBe(program.spec.port);
    const client = await RawClient.connect({ name: 'c1', port: program.spec.port, transcript: new Transcript(), peer: program, explain: explainWireError });
    const line = (await client.readUntil('\n')).toString();
    expect(line).toBe(`${path.join(programs, 'tells-argv.ts')} --port ${program.spec.port}\n`);
    expect((await program.stats())?.resources).toBeDefined(); // IPC relayed both ways
    await program.stop();
    expect(await gone(program.pid)).toBe(true);
  });

  test('throws at start: exit code and stack trace, as when started directly', async () => {
    const program = await adopt('throws-at-start');
    const failure = await failureOf(program.waitUntilListening());
    expect(failure.message).toMatch(/exited with code 1/);
    expect(failure.learn.hint).toMatch(/npx tsx .*throws-at-start\.ts --port \d+/);
    expect(program.tail().join('\n')).toContain('config file missing');
  });

  test('ends at once: explained as nothing keeping the event loop busy', async () => {
    const program = await adopt('exits-at-start');
    const failure = await failureOf(program.waitUntilListening());
    expect(failure.message).toMatch(/exited with code 0/);
  });

  test('never listens, or listens elsewhere: says so, and is stopped', async () => {
    const never = await adopt('never-listens', 1500);
    expect((await failureOf(never.waitUntilListening())).message).toMatch(/did not/);
    const elsewhere = await adopt('listens-elsewhere', 1500);
    const failure = await failureOf(elsewhere.waitUntilListening());
    expect(failure.message).toContain(`but it listens on TCP 127.0.0.1 port ${await listensOn(elsewhere)}.`);
    await Promise.all([never.stop(), elsewhere.stop()]);
    expect(await gone(never.pid)).toBe(true);
    expect(await gone(elsewhere.pid)).toBe(true);
  });

  test('crashes mid-exchange: the failure names the exit', async () => {
    const program = await adopt('crashes-on-data');
    await program.waitUntilListening();
    const client = await RawClient.connect({ name: 'c1', port: program.spec.port, transcript: new Transcript(), peer: program, explain: explainWireError });
    await client.send('boom\n');
    const failure = await failureOf(client.expect('boom\n'));
    expect(failure.message).toMatch(/exited with code 1/);
    expect(program.tail().join('\n')).toContain("reading 'length'");
  });

  test.runIf(process.platform !== 'win32')('the end of a run stops every program and what it started', async () => {
    const program = await adopt('spawns-grandchild');
    await program.waitUntilListening();
    const client = await RawClient.connect({ name: 'c1', port: program.spec.port, transcript: new Transcript(), peer: program, explain: explainWireError });
    const grandchild = Number((await client.readUntil('\n')).toString());
    expect(isRunning(grandchild)).toBe(true);
    await host.stopAll();
    expect(await gone(program.pid)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });
});

describe('the zygotes a warm host keeps', () => {
  test('as many as its last runs started programs, at least `zygotes`, at most `maxZygotes`', async () => {
    const own = new ProgramHost({ freePort, keepWarm: true, zygotes: 1, maxZygotes: 3 });
    const started = async (count: number) => {
      own.resume();
      for (let i = 0; i < count; i++) await own.offer(key('tells-argv'), count, i + 1);
      await own.stopAll();
      return own.zygotePids().size;
    };
    try {
      own.warm();
      expect(own.zygotePids().size).toBe(1);
      expect(await started(2)).toBe(2);
      expect(await started(5)).toBe(3); // capped
      expect(await started(1)).toBe(3); // a learner checks the same lesson again: kept
    } finally {
      await own.close();
    }
    // Without maxZygotes (the author matrix), a host keeps `zygotes` whatever its runs start.
    const matrix = new ProgramHost({ freePort, keepWarm: true });
    try {
      matrix.warm();
      matrix.resume();
      for (let i = 0; i < 3; i++) await matrix.offer(key('tells-argv'), 3, i + 1);
      await matrix.stopAll();
      expect(matrix.zygotePids().size).toBe(1);
    } finally {
      await matrix.close();
    }
  });

  test('told how many programs to expect (by the check that started a resident process), it keeps them ready from the start', async () => {
    const own = new ProgramHost({ freePort, keepWarm: true, zygotes: 1, maxZygotes: 8, expectedPrograms: 3 });
    const start = (i: number) => own.offer(key('tells-argv'), 3, i + 1);
    try {
      own.warm();
      expect(own.zygotePids().size).toBe(3);
      own.resume();
      for (let i = 0; i < 3; i++) await start(i);
      expect(own.zygotePids().size).toBe(0); // each program found one; none started during the run
      await own.stopAll();
      expect(own.zygotePids().size).toBe(3);
    } finally {
      await own.close();
    }
    // Not told: a first run replaces what it takes, one for one, however high maxZygotes is; the
    // pool grows to the run's count once it has ended.
    const fresh = new ProgramHost({ freePort, keepWarm: true, zygotes: 1, maxZygotes: 8 });
    try {
      fresh.warm();
      fresh.resume();
      for (let i = 0; i < 3; i++) {
        await fresh.offer(key('tells-argv'), 3, i + 1);
        expect(fresh.zygotePids().size).toBe(1);
      }
      await fresh.stopAll();
      expect(fresh.zygotePids().size).toBe(3);
    } finally {
      await fresh.close();
    }
  });

  test("mid-run, a new zygote only for a program the run is likely to start; the next run's once it has ended", async () => {
    const own = new ProgramHost({ freePort, keepWarm: true });
    const start = (i: number) => own.offer(key('tells-argv'), 3, i + 1);
    try {
      own.warm();
      own.resume();
      for (let i = 0; i < 3; i++) await start(i); // a first run: nothing known, kept at one all along
      expect(own.zygotePids().size).toBe(1);
      await own.stopAll();
      own.resume(); // the previous run started three programs
      await start(0);
      await start(1);
      expect(own.zygotePids().size).toBe(1); // one more is likely: ready for it
      await start(2);
      expect(own.zygotePids().size).toBe(0); // the run's last: the next run's waits for its end
      await own.stopAll();
      expect(own.zygotePids().size).toBe(1);
    } finally {
      await own.close();
    }
  });
});

// The harness against programs that misbehave: each one gets a clear message within seconds,
// and nothing is left running.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Program } from '../process/program.ts';
import { LessonFailure } from '../testing/failure.ts';
import { RawClient } from '../wire/client.ts';
import { Transcript } from '../wire/transcript.ts';

const programs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'programs');

async function start(name: string, startTimeoutMs = 3000): Promise<Program> {
  const port = await freePort();
  return new Program({ entry: path.join(programs, `${name}.ts`), args: ['--port', String(port)], transport: 'tcp', port, startTimeoutMs, name: 'your server' });
}

/** The LessonFailure that `promise` rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<LessonFailure> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(LessonFailure);
  return error as LessonFailure;
}

/** Alive and not a zombie (a killed process whose parent has not reaped it yet). */
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

/** Waits up to a second for a process to be gone: a kill takes effect asynchronously. */
async function gone(pid: number | undefined): Promise<boolean> {
  for (let i = 0; i < 20 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isRunning(pid);
}

describe('a program that fails to start', () => {
  test('throws at start: its exit code and the stack trace are reported', async () => {
    const program = await start('throws-at-start');
    const failure = await failureOf(program.waitUntilListening());
    expect(failure.message).toMatch(/exited with code 1/);
    expect(failure.learn.hint).toMatch(/npx tsx .*throws-at-start\.ts --port \d+/);
    expect(program.tail().join('\n')).toContain('config file missing');
  });

  test('ends at once: explained as nothing keeping the event loop busy', async () => {
    const program = await start('exits-at-start');
    const failure = await failureOf(program.waitUntilListening());
    expect(failure.message).toMatch(/exited with code 0/);
    expect(failure.learn.why).toMatch(/event loop/);
  });

  test('never listens: fails after the start timeout, and is stopped', async () => {
    const program = await start('never-listens', 1500);
    const failure = await failureOf(program.waitUntilListening());
    expect(failure.message).toMatch(/did not/);
    expect(failure.learn.why).toMatch(/never called listen/);
    await program.stop();
    expect(await gone(program.pid)).toBe(true);
  });

  test('listens on another port: says which', async () => {
    const program = await start('listens-elsewhere', 1500);
    const failure = await failureOf(program.waitUntilListening());
    expect(failure.message).toContain(`port ${program.spec.port + 1}`);
    expect(failure.learn.hint).toMatch(/--port/);
    await program.stop();
  });

  test.runIf(process.platform === 'linux')('loops forever before listening: the busy CPU is named', async () => {
    const program = await start('busy-at-start', 2000);
    const failure = await failureOf(program.waitUntilListening());
    expect(failure.learn.why).toMatch(/CPU busy/);
    await program.stop();
    expect(await gone(program.pid)).toBe(true);
  });
});

describe('a program that fails mid-exchange', () => {
  test('crashes on a message: the exchange that killed it and the exit are in the failure and transcript', async () => {
    const program = await start('crashes-on-data');
    await program.waitUntilListening();
    const transcript = new Transcript();
    const client = await RawClient.connect({ name: 'c1', port: program.spec.port, transcript, peer: program });
    await client.send('fine\n');
    await client.expect('fine\n');
    await client.send('boom\n');
    const failure = await failureOf(client.expect('boom\n'));
    expect(failure.message).toMatch(/your server (closed|reset) the connection .*exited with code 1/);
    const kinds = transcript.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['send', 'recv']));
    expect(transcript.events.at(-1)?.kind).toMatch(/fin|rst/);
    expect(program.tail().join('\n')).toContain("reading 'length'");
  });

  test.runIf(process.platform === 'linux')('stops answering in a busy loop: the timeout says the CPU was pegged', async () => {
    const program = await start('busy-on-data');
    await program.waitUntilListening();
    const client = await RawClient.connect({ name: 'c1', port: program.spec.port, transcript: new Transcript(), peer: program });
    await client.send('hello\n');
    const failure = await failureOf(client.expect('hello\n', { timeoutMs: 1000 }));
    expect(failure.message).toMatch(/within 1 s/);
    expect(failure.learn.why).toMatch(/CPU busy/);
    await program.stop();
    expect(await gone(program.pid)).toBe(true);
  });
});

describe('cleaning up', () => {
  test.runIf(process.platform !== 'win32')('stop() kills the program and what it started', async () => {
    const program = await start('spawns-grandchild');
    await program.waitUntilListening();
    const client = await RawClient.connect({ name: 'c1', port: program.spec.port, transcript: new Transcript(), peer: program });
    const grandchild = Number((await client.readUntil('\n')).toString());
    expect(isRunning(grandchild)).toBe(true);
    await program.stop();
    expect(await gone(program.pid)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });
});

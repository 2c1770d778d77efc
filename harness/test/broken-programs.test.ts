// The harness against programs that misbehave: each one gets a clear message within seconds,
// and nothing is left running. A program that dies is reported as dead first, whatever the socket
// saw: a refused connection, a close, a reset or a silence.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Program } from '../process/program.ts';
import { explainWireError, untilListening } from '../testing/explain.ts';
import { LessonFailure } from '../testing/failure.ts';
import { ScriptedServer } from '../testing/scripted-server.ts';
import { RawClient } from '../wire/client.ts';
import { Transcript } from '../wire/transcript.ts';
import { UdpClient } from '../wire/udp.ts';

const programs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'programs');

async function start(name: string, startTimeoutMs = 3000, transport: 'tcp' | 'udp' = 'tcp'): Promise<Program> {
  const port = await freePort();
  return new Program({ entry: path.join(programs, `${name}.ts`), args: ['--port', String(port)], transport, port, startTimeoutMs, name: 'your server' });
}

/** A client of `program`'s port that fails as a check's would (with a LessonFailure). */
function connect(program: Program, name: string, transcript = new Transcript()): Promise<RawClient> {
  return RawClient.connect({ name, port: program.spec.port, transcript, peer: program, explain: explainWireError });
}

/** The LessonFailure that `promise` rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<LessonFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LessonFailure);
  return error as LessonFailure;
}

/** Whether connecting to 127.0.0.1:port is refused within 2 s (a listener that is going away). */
async function refusedSoon(port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
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

// process/ throws the fact as data (ProgramStartError); untilListening (testing/explain.ts), as the
// fixtures do, turns it into the failure a learner reads.
describe('a program that fails to start', () => {
  test('throws at start: its exit code and the stack trace are reported', async () => {
    const program = await start('throws-at-start');
    const failure = await failureOf(untilListening(program));
    expect(failure.message).toMatch(/exited with code 1/);
    expect(failure.learn.hint).toMatch(/npx tsx .*throws-at-start\.ts --port \d+/);
    expect(failure.learn.why).toBe(
      'It crashed while starting on "Error: config file missing" at harness/test/programs/throws-at-start.ts:2; its last output (below) says more.',
    );
    expect(failure.learn.exited).toBe(true);
    expect(program.tail().join('\n')).toContain('config file missing');
  });

  test('ends at once: explained as nothing keeping the event loop busy', async () => {
    const program = await start('exits-at-start');
    const failure = await failureOf(untilListening(program));
    expect(failure.message).toMatch(/exited with code 0/);
    expect(failure.learn.why).toMatch(/event loop/);
  });

  test('never listens: fails after the start timeout, and is stopped', async () => {
    const program = await start('never-listens', 1500);
    const failure = await failureOf(untilListening(program));
    expect(failure.message).toMatch(/did not/);
    expect(failure.learn.why).toMatch(/never called listen/);
    await program.stop();
    expect(await gone(program.pid)).toBe(true);
  });

  test('listens on another port: says which', async () => {
    const program = await start('listens-elsewhere', 1500);
    const failure = await failureOf(untilListening(program));
    expect(failure.message).toContain(`but it listens on TCP 127.0.0.1 port ${await listensOn(program)}.`);
    expect(failure.learn.hint).toMatch(/--port/);
    await program.stop();
  });

  test.runIf(process.platform === 'linux')('loops forever before listening: the busy CPU is named', async () => {
    const program = await start('busy-at-start', 2000);
    const failure = await failureOf(untilListening(program));
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
    const client = await connect(program, 'c1', transcript);
    await client.send('fine\n');
    await client.expect('fine\n');
    await client.send('boom\n');
    const failure = await failureOf(client.expect('boom\n'));
    expect(failure.message).toMatch(/^Your server exited with code 1\. Expected "boom\\n", but your server (closed|reset) the connection/);
    expect(failure.learn.exited).toBe(true);
    expect(failure.learn.why).toContain(
      `It crashed on "TypeError: Cannot read properties of undefined (reading 'length')" at harness/test/programs/crashes-on-data.ts:7`,
    );
    expect(failure.learn.hint).toMatch(/^Run `npx tsx harness\/test\/programs\/crashes-on-data\.ts --port \d+`, send it what the wire below shows/);
    const kinds = transcript.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['send', 'recv']));
    expect(transcript.events.at(-1)?.kind).toMatch(/fin|rst/);
    expect(program.tail().join('\n')).toContain("reading 'length'");
  });

  test.runIf(process.platform === 'linux')('stops answering in a busy loop: the timeout says the CPU was pegged', async () => {
    const program = await start('busy-on-data');
    await program.waitUntilListening();
    const client = await connect(program, 'c1');
    await client.send('hello\n');
    const failure = await failureOf(client.expect('hello\n', { timeoutMs: 1000 }));
    expect(failure.message).toMatch(/within 1 s/);
    expect(failure.learn.why).toMatch(/CPU busy/);
    await program.stop();
    expect(await gone(program.pid)).toBe(true);
  });
});

describe('a program that dies during a check is reported dead first (issue 7)', () => {
  test("a server killed by a client's reset: the next connect is refused, and the failure starts with the exit, the exception and the fix", async () => {
    const program = await start('crashes-on-reset');
    await program.waitUntilListening();
    const transcript = new Transcript();
    const bystander = await connect(program, 'bystander', transcript);
    await bystander.readUntil('\n');
    const rude = await connect(program, 'rude', transcript);
    await rude.readUntil('\n');
    rude.reset();
    // The bystander's connection ends when the process does; its listening socket goes with it
    // (in whatever order the kernel closes them): from then on a connection is refused.
    await bystander.expectClose({ timeoutMs: 5000 });
    expect(await refusedSoon(program.spec.port)).toBe(true);
    const failure = await failureOf(connect(program, 'after', transcript));
    expect(failure.message).toMatch(
      /^Your server exited with code 1\. Expected to connect to your server at 127\.0\.0\.1:\d+, but the connection failed \(ECONNREFUSED\)\.$/,
    );
    expect(failure.learn.exited).toBe(true);
    expect(failure.learn.why).toMatch(/^It crashed on "Error: read ECONNRESET": an 'error' event that no listener handled \(a client reset its connection\)\./);
    expect(failure.learn.hint).toMatch(/^Add socket\.on\('error', …\) to every socket/);
    expect(failure.learn.hint).toMatch(/run `npx tsx harness\/test\/programs\/crashes-on-reset\.ts --port \d+` and watch the output/);
    expect(`${failure.learn.why} ${failure.learn.hint}`).not.toMatch(/listening socket after the first client/);
    expect(transcript.events.at(-1)).toMatchObject({ kind: 'rst', who: 'after', text: expect.stringContaining('ECONNREFUSED') });
    expect(program.exitReport()).toMatchObject({ code: 1, exception: 'Error: read ECONNRESET', unhandledErrorEvent: true, errorCode: 'ECONNRESET' });
  });

  test('a UDP server that throws on a datagram: the wait for the reply says it exited, and why', async () => {
    const program = await start('udp-crashes-on-datagram', 3000, 'udp');
    await program.waitUntilListening();
    const udp = await UdpClient.open({
      name: 'u1',
      port: program.spec.port,
      transcript: new Transcript(),
      peer: program,
      explain: explainWireError,
      timeoutMs: 20_000,
    });
    await udp.send('ping');
    await udp.expect('ping');
    await udp.send('boom');
    const started = performance.now();
    const failure = await failureOf(udp.expect('boom'));
    udp.close();
    // The exit ends the wait, not its bound: the same message would come at the bound (the program
    // has exited by then), so the time tells which. A bound far past a crash's on a loaded machine.
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(failure.message).toBe('Your server exited with code 1. Expected a datagram of 4 bytes, received nothing.');
    expect(failure.learn.why).toContain('It crashed on "RangeError: no room for boom" at harness/test/programs/udp-crashes-on-datagram.ts:7');
  });

  test('a client program that dies: the scripted server says so instead of waiting out its bound', async () => {
    const transcript = new Transcript();
    const server = await ScriptedServer.listen(transcript);
    const program = new Program({
      entry: path.join(programs, 'client-crashes-after-hello.ts'),
      args: ['--port', String(server.port)],
      transport: 'tcp',
      port: server.port,
      startTimeoutMs: 3000,
      name: 'your client',
    });
    server.watch(program);
    try {
      const client = await server.accept({ timeoutMs: 5000 });
      await client.expect('hello\n', { timeoutMs: 5000 });
      const failure = await failureOf(client.readUntil('\n', { timeoutMs: 5000 }));
      expect(failure.message).toMatch(/^Your client exited with code 1\. Expected bytes up to "\\n", but your client (closed|reset) the connection/);
      expect(failure.learn.why).toContain('It crashed on "Error: lost my place after hello"');
      // And a second connection that never comes is not waited for: the client is gone.
      const started = performance.now();
      const none = await failureOf(server.accept({ timeoutMs: 20_000 }));
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(none.message).toMatch(/^Your client exited with code 1\. Expected your client to connect to 127\.0\.0\.1:\d+/);
    } finally {
      server.close();
      await program.stop();
    }
  });
});

describe('cleaning up', () => {
  test.runIf(process.platform !== 'win32')('stop() kills the program and what it started', async () => {
    const program = await start('spawns-grandchild');
    await program.waitUntilListening();
    const client = await connect(program, 'c1');
    const grandchild = Number((await client.readUntil('\n')).toString());
    expect(isRunning(grandchild)).toBe(true);
    await program.stop();
    expect(await gone(program.pid)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });
});

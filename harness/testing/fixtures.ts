// The `server` fixture the hidden tests of a server lesson use. One program runs per test file and
// is reused while it behaves; after a failure, or if it died, the next test starts a fresh one.
// Each test gets its own transcript, and at its end the transcript and the program's output are
// attached to the test (task.meta) for the learner reporter.

import type tls from 'node:tls';
import { afterAll, test as base } from 'vitest';
import { findLesson, type Lesson } from '../lesson.ts';
import { adoptProgram, hasHost, prepareProgram } from '../process/adopt.ts';
import { freePort } from '../process/free-port.ts';
import { Program, type ProgramStats } from '../process/program.ts';
import { RawClient } from '../wire/client.ts';
import { reseed, runSeed, streamFor } from '../wire/segmentation.ts';
import { Transcript } from '../wire/transcript.ts';
import { programKey } from './target.ts';
import type { TestMeta } from './meta.ts';
import { explainExit, explainWireError, exitNote, untilListening } from './explain.ts';

export interface ServerOptions {
  /** Extra arguments after `--port N` (default: the manifest's program.args). */
  args?: string[];
}

/** What a test holds: the running program and a way to talk to it. */
export class Server {
  private readonly clients: RawClient[] = [];
  private count = 0;

  constructor(
    readonly program: Program,
    readonly transcript: Transcript,
  ) {}

  get port(): number {
    return this.program.spec.port;
  }

  /** A new raw TCP connection, named `c1`, `c2`, … unless named here. */
  async connect(name = `c${++this.count}`): Promise<RawClient> {
    const client = await RawClient.connect({ name, port: this.port, transcript: this.transcript, peer: this.program, explain: explainWireError });
    this.clients.push(client);
    return client;
  }

  /** A new raw TCP connection to another port of the program (a second listener it opens). */
  async connectTo(port: number, name = `c${++this.count}`): Promise<RawClient> {
    const client = await RawClient.connect({ name, port, transcript: this.transcript, peer: this.program, explain: explainWireError });
    this.clients.push(client);
    return client;
  }

  /** A new TLS connection (node:tls options: the CA, servername, ALPN, versions), handshake done. */
  async connectTls(options: tls.ConnectionOptions, name = `c${++this.count}`): Promise<RawClient> {
    const client = await RawClient.connectTls({
      name,
      port: this.port,
      transcript: this.transcript,
      peer: this.program,
      explain: explainWireError,
      tls: options,
      // A handshake costs more than a TCP accept; the first after a start, on a loaded 2-core
      // machine, can take seconds.
      timeoutMs: 5000,
    });
    this.clients.push(client);
    return client;
  }

  /** Memory and open handles of the program (undefined when it does not answer). */
  stats(): Promise<ProgramStats | undefined> {
    return this.program.stats();
  }

  /** Closes every connection the test opened. */
  closeAll(): void {
    for (const client of this.clients.splice(0)) client.destroy();
  }
}

/**
 * `test` for a lesson whose program is a server: use it like vitest's `test`, and ask for the
 * `server` fixture. `serverTest('tcp-echo')`.
 */
export function serverTest(slug: string, options: ServerOptions = {}) {
  const lesson = findLesson(slug);
  // Tests of a file may run concurrently (test.concurrent) and then share the program: it is
  // started once for all of them, and one retired after a failure is stopped only when the last
  // test using it ends, so that a failing test does not pull the program from under the others.
  let program: Program | undefined;
  let starting: Promise<Program> | undefined;
  let fresh = false;
  const users = new Map<Program, number>();
  const retired = new Set<Program>();
  const retire = (running: Program) => {
    if (program === running) program = undefined;
    retired.add(running);
    if (!users.get(running)) void running.stop();
  };
  const acquire = async (): Promise<Program> => {
    if (program && !program.exit) return program;
    if (!starting) {
      if (program) retire(program);
      starting = startProgram(lesson, options)
        .then((started) => ((program = started), (fresh = true), started))
        .finally(() => (starting = undefined));
    }
    return starting;
  };
  // Under `learn check` the runner starts the program while Vitest boots; one this file needs and
  // the runner could not foresee (other arguments) starts now, while the file is collected.
  if (hasHost()) prepareProgram(programKey(lesson, options.args));

  afterAll(async () => {
    await Promise.all([program, ...retired].map((p) => p?.stop()));
  });

  return base.extend<{ server: Server }>({
    server: async ({ task, onTestFailed }, use) => {
      reseed(task.name);
      const meta = task.meta as TestMeta;
      const running = await acquire();
      users.set(running, (users.get(running) ?? 0) + 1);
      const outputFrom = fresh ? 0 : running.now();
      fresh = false;
      const transcript = new Transcript();
      transcript.random = streamFor(task.name);
      const server = new Server(running, transcript);
      // The exit goes into the transcript when it happens, among the events that led to it.
      let recording = true;
      void running.exited.then(() => {
        const exit = running.exitReport();
        if (recording && exit) transcript.mark('exit', 'server', exitNote(running.name, exit));
      });
      // A failed exchange can leave the program in any state: the next test gets a new one.
      onTestFailed(() => retire(running));
      try {
        await untilListening(running);
        await use(server);
      } finally {
        const failed = task.result?.state === 'fail';
        // A failure right after a crash may come before the exit is reported: wait for a dying program.
        if (failed) await running.settle();
        recording = false;
        server.closeAll();
        const exit = running.exitReport();
        meta.wire = transcript.toJSON();
        if (transcript.randomised) meta.seed = runSeed;
        meta.output = running.output.filter((line) => line.at >= outputFrom);
        meta.program = { name: running.name, exit: exit?.description, crash: exit && explainExit(running.name, exit) };
        users.set(running, users.get(running)! - 1);
        if (failed) retire(running);
        else if (retired.has(running) && !users.get(running)) void running.stop();
      }
    },
  });
}

async function startProgram(lesson: Lesson, options: ServerOptions): Promise<Program> {
  const key = programKey(lesson, options.args);
  const spec = { startTimeoutMs: lesson.timeouts.startMs, name: 'your server' };
  if (hasHost()) return adoptProgram(key, spec);
  const port = await freePort();
  return new Program({ ...spec, entry: key.entry, args: ['--port', String(port), ...key.args], transport: key.transport, port });
}

// The `server` fixture the hidden tests of a server lesson use. One program runs per test file and
// is reused while it behaves; after a failure, or if it died, the next test starts a fresh one.
// Each test gets its own transcript, and at its end the transcript and the program's output are
// attached to the test (task.meta) for the learner reporter.

import { afterAll, test as base } from 'vitest';
import { findLesson, type Lesson } from '../lesson.ts';
import { adoptProgram, hasHost, prepareProgram } from '../process/adopt.ts';
import { freePort } from '../process/free-port.ts';
import { Program, type ProgramStats } from '../process/program.ts';
import { RawClient } from '../wire/client.ts';
import { reseed, runSeed } from '../wire/segmentation.ts';
import { Transcript } from '../wire/transcript.ts';
import { programKey } from './target.ts';
import type { TestMeta } from './meta.ts';
import { explainExit, explainWireError, exitNote } from './explain.ts';

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
  let program: Program | undefined;
  let fresh = false;
  // Under `learn check` the runner starts the program while Vitest boots; one this file needs and
  // the runner could not foresee (other arguments) starts now, while the file is collected.
  if (hasHost()) prepareProgram(programKey(lesson, options.args));

  afterAll(async () => {
    await program?.stop();
  });

  return base.extend<{ server: Server }>({
    server: async ({ task, onTestFailed }, use) => {
      reseed(task.name);
      const meta = task.meta as TestMeta;
      if (!program || program.exit) {
        await program?.stop();
        program = await startProgram(lesson, options);
        fresh = true;
      }
      const running = program;
      const outputFrom = fresh ? 0 : running.now();
      fresh = false;
      const transcript = new Transcript();
      const server = new Server(running, transcript);
      // The exit goes into the transcript when it happens, among the events that led to it.
      let recording = true;
      void running.exited.then(() => {
        const exit = running.exitReport();
        if (recording && exit) transcript.mark('exit', 'server', exitNote(running.name, exit));
      });
      onTestFailed(() => {
        // A failed exchange can leave the program in any state: the next test gets a new one.
        program = undefined;
        void running.stop();
      });
      try {
        await running.waitUntilListening();
        await use(server);
      } finally {
        // A failure right after a crash may come before the exit is reported: wait for a dying program.
        if (task.result?.state === 'fail') await running.settle();
        recording = false;
        server.closeAll();
        const exit = running.exitReport();
        meta.wire = transcript.toJSON();
        if (transcript.randomised) meta.seed = runSeed;
        meta.output = running.output.filter((line) => line.at >= outputFrom);
        meta.program = { name: running.name, exit: exit?.description, crash: exit && explainExit(running.name, exit) };
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

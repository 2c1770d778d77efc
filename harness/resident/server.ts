// The resident check process: Vitest, the CLI and a warm check session (zygotes of the learner's
// program ready, one for each program the check starts) kept loaded between checks, so that
// `learn check` does not pay for starting them every time (about 0.85 s of every check).
// client.mjs hands it a run; the run is the command as it would have run in the client's process
// (cli/main.ts): with the client's arguments, environment, terminal and colours, its output sent
// to the client as it is written. One run at a time: a check that finds it busy runs in its own
// process.
//
// It ends by itself when idle for IDLE_EXIT_MS, when a client finds it stale (started from other
// harness, checks, references, dependencies or Node: protocol.mjs stalenessKey) or it finds
// itself so, when its clone is deleted, and when another took its socket.

import fs from 'node:fs';
import net from 'node:net';
import { CheckSession, LEARNER_WORKERS } from '../check/session.ts';
import type { CheckRuntime } from '../cli/commands/check.ts';
import { main } from '../cli/main.ts';
import { stateFile, validate } from '../cli/state.ts';
import { repoRoot } from '../paths.ts';
import { reapStrays } from '../process/reaper.ts';
import { colourWanted, setColour } from '../terminal.ts';
import { setTraceOrigin, trace } from '../trace.ts';
import { infoPath, readMessages, send, socketPath, stalenessKey } from './protocol.mjs';

/**
 * A learner between two checks is reading, editing, thinking: minutes. Past ten of them the
 * process (about 185 MB with Vitest, and 35 MB of its own for each zygote it keeps, one per
 * program the lesson's check starts: up to 8) is given back; the next check starts one again
 * after showing its result. (LEARN_RESIDENT_IDLE_MS shortens it for the harness's tests.)
 */
export const IDLE_EXIT_MS = Number(process.env.LEARN_RESIDENT_IDLE_MS) || 10 * 60_000;

/** How often it looks whether its clone still exists and its socket is still its own. */
const LIVENESS_MS = 2000;

/** How often it looks, while idle, whether its code on disk has changed (a key: a few ms of stats). */
const STALENESS_MS = 30_000;

/** What a client sends to have a check run. */
interface RunRequest {
  type: 'run';
  args: string[];
  env: NodeJS.ProcessEnv;
  argv: string[];
  stdinTTY: boolean;
  stdoutTTY: boolean;
  columns?: number;
  traceOrigin: number;
}

/** To this process's own stderr (the log file), even while a run sends process.stderr to its client. */
const writeLog = process.stderr.write.bind(process.stderr);
const log = (line: string) => writeLog(`${new Date().toISOString()} [${process.pid}] ${line}\n`);

/** `key`: the staleness key taken before this process loaded the code it runs (start.mjs). */
export async function serve(key: string, options: { expectedPrograms?: number } = {}): Promise<void> {
  const where = socketPath(repoRoot);
  if (!where) return;
  const session = new CheckSession({ keepWarm: true, workers: LEARNER_WORKERS, prepareThreads: true, expectedPrograms: options.expectedPrograms });
  let busy = false;
  let idle: NodeJS.Timeout | undefined;
  let ending = false;
  /** Why it goes once the check in progress is done. */
  let stale: string | undefined;

  const server = net.createServer();
  const end = async (why: string) => {
    if (ending) return;
    ending = true;
    log(`exiting: ${why}`);
    server.close();
    if (ownsSocket()) fs.rmSync(where, { force: true });
    inode = undefined;
    try {
      if ((JSON.parse(fs.readFileSync(infoPath(repoRoot), 'utf8')) as { pid: number }).pid === process.pid) fs.rmSync(infoPath(repoRoot), { force: true });
    } catch {
      // Gone with the clone, or another's.
    }
    await session.closeForExit();
    reapStrays();
    process.exit(0);
  };
  const resetIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => void end(`idle for ${IDLE_EXIT_MS / 1000} s`), IDLE_EXIT_MS);
  };
  let inode: number | undefined;
  const ownsSocket = () => {
    try {
      return fs.statSync(where).ino === inode;
    } catch {
      return false;
    }
  };

  server.on('connection', (socket) => {
    let run: Run | undefined;
    socket.on('error', () => {});
    readMessages(socket, (message: { type?: string }) => {
      if (message.type === 'interrupt') return run?.interrupt();
      if (message.type !== 'run' || run) return;
      const request = message as RunRequest;
      // The code on disk now, and the client's LEARN_* variables, against those this process started with.
      if (stalenessKey(repoRoot, request.env) !== key) {
        send(socket, { type: 'stale' });
        socket.end();
        // A check it runs for another client ends first (that client's key matched when it began).
        stale = 'stale: a client found the harness, checks, references, dependencies or Node changed';
        server.close(); // the next check finds no one, and starts a fresh process once it is done
        if (!busy) void end(stale);
        return;
      }
      // Progress to rebuild (cli/rebuild.ts: every lesson checked, Ctrl-C handled on its own terms)
      // is done in the client's process, as any run this process cannot run as the client would.
      if (rebuildPending()) {
        send(socket, { type: 'declined' });
        return void socket.end();
      }
      if (busy || ending) {
        send(socket, { type: 'busy' });
        return void socket.end();
      }
      busy = true;
      clearTimeout(idle);
      run = new Run(socket, request, session);
      void run.done.then(() => {
        busy = false;
        if (stale) return void end(stale);
        if (!ending) resetIdle();
        void session.warm().catch(() => {}); // a run that was stopped tore its instance down
      });
    });
    socket.on('close', () => run?.interrupt());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      // One per clone: one that answers keeps the place; a socket nobody answers is left over.
      if (await answers(where)) return reject(new Error('another resident check process serves this clone'));
      fs.rmSync(where, { force: true });
      server.listen(where);
    });
    server.listen(where);
  }).catch((error: Error) => {
    log(`not serving: ${error.message}`);
    process.exit(0);
  });
  inode = fs.statSync(where).ino;
  fs.writeFileSync(infoPath(repoRoot), JSON.stringify({ pid: process.pid, socket: where }));
  log(`serving ${repoRoot} on ${where}`);
  resetIdle();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void end(signal));
  setInterval(() => {
    if (!fs.existsSync(`${repoRoot}/package.json`)) void end('the clone is gone');
    else if (!busy && !ownsSocket()) void end('the socket is gone or another took it');
  }, LIVENESS_MS).unref();
  setInterval(() => {
    if (!busy && stalenessKey(repoRoot) !== key) void end('stale: the harness, checks, references, dependencies or Node changed');
  }, STALENESS_MS).unref();
  // What every check needs, loaded and started now: the command's modules, Vitest, the zygotes, the
  // worker threads.
  await import('../cli/commands/check.ts');
  await session.warm();
  await session.prepared();
  log('warm');
}

/** The learner's progress file cannot be read, or is being rebuilt (cli/state.ts, cli/rebuild.ts). */
function rebuildPending(): boolean {
  let text: string;
  try {
    text = fs.readFileSync(stateFile, 'utf8');
  } catch {
    return false; // none yet: a fresh state
  }
  return validate(text) !== undefined || (JSON.parse(text) as { rebuilding?: unknown }).rebuilding !== undefined;
}

function answers(where: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(where);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * One check, run as the client's process would have run it. While it runs, this process's stdout
 * and stderr go to the client, and its environment, arguments and terminal are the client's (colour,
 * `interactive`, LEARN_SEED … are read from them); all are put back after.
 */
class Run {
  readonly done: Promise<void>;
  /** Output still goes to the client (not after its exit code was sent). */
  private open = true;
  private ended = false;
  private release: (() => void) | undefined;
  private offer: { lesson: string; next?: string; args: string[]; flags: Record<string, unknown> } | undefined;

  constructor(
    private readonly socket: net.Socket,
    request: RunRequest,
    private readonly session: CheckSession,
  ) {
    this.done = this.run(request);
  }

  private async run(request: RunRequest): Promise<void> {
    const saved = {
      out: process.stdout.write,
      err: process.stderr.write,
      env: process.env,
      argv: process.argv,
      stdinTTY: process.stdin.isTTY,
      stdoutTTY: process.stdout.isTTY,
      columns: process.stdout.columns,
    };
    process.stdout.write = this.forward(1);
    process.stderr.write = this.forward(2);
    process.env = request.env;
    process.argv = request.argv;
    process.stdin.isTTY = request.stdinTTY;
    process.stdout.isTTY = request.stdoutTTY;
    process.stdout.columns = request.columns!;
    setColour(colourWanted());
    setTraceOrigin(request.traceOrigin);
    send(this.socket, { type: 'accepted' });
    trace('resident: run');
    const runtime: CheckRuntime = {
      session: this.session,
      onInterrupt: (release) => void (this.release = release),
      // Its programs are stopped after every run (check/session.ts); the zygote kept is no stray.
      reap: () => void reapStrays(this.session.keptPids()),
      offerNext: async (context, lesson, next) => void (this.offer = { lesson: lesson.slug, next: next?.slug, args: context.args, flags: context.flags }),
    };
    let code = 1;
    try {
      code = await main(request.args, runtime);
    } catch (error) {
      log(`run failed: ${(error as Error).stack ?? error}`);
    } finally {
      process.stdout.write = saved.out;
      process.stderr.write = saved.err;
      process.env = saved.env;
      process.argv = saved.argv;
      process.stdin.isTTY = saved.stdinTTY;
      process.stdout.isTTY = saved.stdoutTTY;
      process.stdout.columns = saved.columns;
      process.exitCode = 0;
    }
    this.exit(code, this.offer ? { offer: this.offer } : {});
    log(`served check ${request.args.slice(1).join(' ')}: exit ${code}`);
  }

  /**
   * Ctrl-C in the client, or the client gone (killed, its pipe closed): as in-process, the
   * failure held so far is shown, every program of the check stopped, and the exit code is 130.
   * The run in progress is torn down, so that this process is ready for the next check.
   */
  interrupt(): void {
    if (this.ended) return;
    this.release?.();
    const stopping = this.session.stopPrograms(); // the kills are sent before this returns
    reapStrays(this.session.keptPids());
    this.exit(130);
    log('interrupted');
    void stopping.then(() => this.session.abort());
  }

  private exit(code: number, extra: object = {}): void {
    if (this.ended) return;
    this.ended = true;
    send(this.socket, { type: 'exit', code, ...extra });
    this.open = false;
    this.socket.end();
  }

  private forward(fd: 1 | 2): typeof process.stdout.write {
    return ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (this.open) send(this.socket, { type: 'out', fd, text });
      const done = typeof encoding === 'function' ? encoding : callback;
      if (done) queueMicrotask(() => done(null));
      return true;
    }) as typeof process.stdout.write;
  }
}

// One Vitest instance that runs lessons' hidden tests, run after run (check/vitest-instance.ts).
// `learn check` opens one for a single run; the resident check process and `learn watch` keep one
// for as long as they live (the Vite server and its module graph stay warm, and the worker threads
// of the next run are prepared while they wait: check/thread-shelf.ts, so a rerun pays for little
// more than the tests); the author checks keep one per lane of the matrix. Each run:
// - starts the learner's program before the worker exists (process/host.ts), so that its start
//   overlaps Vitest's; the `server` fixture adopts it;
// - runs the test files of the lesson in name order, on one worker thread (isolate: false) or, for
//   `learn check` and `learn watch`, two: one file per core, each file with a program of its own;
// - reports through the reporters given for that run only, in name order whatever the worker
//   (a later file's results wait until the files before it are done), stopping at the first
//   failure in that order (check/relay-reporter.ts);
// - is watched from this thread (check/collector.ts): a worker stuck in a learner's busy loop
//   cannot end its own test, so a run that stops making progress is torn down (the instance is
//   closed, the worker thread terminated) and the next run starts a fresh instance.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Reporter, TestSpecification, Vitest } from 'vitest/node';
import { checkFolder, type Lesson } from '../lesson.ts';
import { repoRoot, stateDir } from '../paths.ts';
import { freePort } from '../process/free-port.ts';
import { HOST_ENV, ProgramHost } from '../process/host.ts';
import { programKey } from '../testing/target.ts';
import { TLS_DIR_ENV } from '../testing/tls.ts';
import { trace, traceEnv } from '../trace.ts';
import { Collector } from './collector.ts';
import { RelayReporter } from './relay-reporter.ts';
import { FileTimes } from './run-order.ts';
import { ThreadShelf } from './thread-shelf.ts';
import { createInstance } from './vitest-instance.ts';

export interface SessionRunOptions {
  /** The folder LEARN_ROOT names: the code under test (check/prepare-target.ts). */
  root: string;
  /** Replays the random cuts of an earlier run. */
  seed?: number;
  /** Stop at the first failing test (default): fix one thing at a time. */
  bail?: boolean;
  reporters?: Reporter[];
  /** Run only this test (check/blame.ts reruns a failed one): its file and its Vitest id (TestOutcome). */
  only?: { file: string; id: string };
}

export interface TestOutcome {
  name: string;
  /** Vitest's id of the test: the same in every run of an unchanged file. */
  id?: string;
  state: 'passed' | 'failed' | 'skipped';
  /** The test file it belongs to, relative to the lesson's .check folder. */
  file?: string;
  durationMs?: number;
}

export interface RunError {
  name?: string;
  message: string;
  stack?: string;
}

export interface RunResult {
  passed: number;
  failed: number;
  skipped: number;
  tests: TestOutcome[];
  /** Errors outside any test: a test file that failed to load, an exception thrown from a callback. */
  errors: RunError[];
  ok: boolean;
  /** True when the run was torn down because the checks stopped responding. */
  stalled?: boolean;
}

/**
 * Vitest's own timeout cannot stop a test whose thread is stuck in a loop (a busy loop in an
 * imported learner module blocks the timer that would end it). The collector watches from the
 * main thread: no test finished for this long past the test timeout means stuck.
 * (LEARN_STALL_GRACE_MS shortens it for the harness's own tests of the watchdog.)
 */
export const STALL_GRACE_MS = Number(process.env.LEARN_STALL_GRACE_MS) || 5000;

/** How long a run may take to get its first test file to the worker before it counts as stuck. */
const START_ALLOWANCE_MS = 30_000;

/** Bounds the teardown of an instance whose worker had to be terminated. */
const CLOSE_TIMEOUT_MS = 10_000;

/** The hidden test files of a lesson, in name order (the order the learner meets them). */
export function testFiles(lesson: Lesson): string[] {
  const dir = checkFolder(lesson);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join(dir, name));
}

/**
 * Worker threads for a learner's check (`learn check`, `learn watch`, and the blame of a failure,
 * which runs in the same session): one test file per core of the 2-core machine learners are
 * assumed to have at least.
 */
export const LEARNER_WORKERS = 2;

export interface SessionOptions {
  /**
   * For sessions that run many times (learn watch, the author matrix): keep a zygote of the
   * learner's program ready between runs (process/host.ts), so that a run does not wait for node
   * and tsx to start.
   */
  keepWarm?: boolean;
  /**
   * Worker threads running test files at once (default 1). `learn check` and `learn watch` use two,
   * one per core: the files of a lesson each start their own program and share nothing, as the
   * author matrix's lanes already prove by running the same lesson's targets side by side. The
   * matrix keeps one (its two lanes fill the cores).
   */
  workers?: number;
  /**
   * For sessions that wait between runs (the resident check process, learn watch): prepare the
   * worker threads of the next run while waiting (check/thread-shelf.ts), so that a run does not
   * start a thread and import the harness. The matrix, which runs back to back, would only wait
   * for the preparing instead.
   */
  prepareThreads?: boolean;
  /**
   * How many programs the first run will likely start: the resident process is told how many the
   * check that started it did, and has that many zygotes ready for its first run (MAX_ZYGOTES).
   */
  expectedPrograms?: number;
}

/**
 * The most zygotes a session that waits between runs keeps: enough for every program of the
 * lesson checked most (19 starts seven). A zygote takes about 0.3 CPU-seconds to start (node, tsx's
 * loader thread, the preload) and then holds about 35 MB of its own (75 MB resident, the rest
 * shared). Started between runs, that time is spent while the learner reads; started during a
 * run, it is taken from the tests on a 2-core machine: lesson 19 with 3 kept took 2.9 s served,
 * with its 7 kept 1.9–2.0 s (4 programs fewer started mid-run, 1.2 CPU-seconds less in the run).
 * The resident process keeps as many from its start as the check that started it ran.
 */
const MAX_ZYGOTES = 8;

/** The warm-up run's test files, one per thread to prepare (check/thread-shelf.ts). */
const WARM_UP_FILES = ['thread-1.ts', 'thread-2.ts'].map((name) => path.join(import.meta.dirname, 'warm-up', name));

export class CheckSession {
  private vitest: Vitest | undefined;
  private starting: Promise<Vitest> | undefined;
  private readonly relay = new RelayReporter();
  /** With two workers, the files start in the order this gives (check/run-order.ts). */
  private readonly fileTimes: FileTimes;
  private readonly host: ProgramHost;
  private closed = false;
  private readonly workers: number;
  private readonly shelf = new ThreadShelf();
  private readonly prepareThreads: boolean;
  /** The warm-up run in progress: a run waits for it, and takes the threads it prepared. */
  private preparing: Promise<void> | undefined;
  /** A run is in progress: no warm-up starts meanwhile (its threads would be shelved with the run's). */
  private running = false;
  /**
   * The throw-away certificates of the TLS lessons' checks, made by the first file that needs them
   * and kept for every run of this session (testing/tls.ts); removed when it closes.
   */
  private readonly tlsDir = path.join(os.tmpdir(), `learn-tls-${process.pid}-${randomBytes(6).toString('hex')}`);

  constructor(options: SessionOptions = {}) {
    this.workers = Math.max(1, options.workers ?? 1);
    this.prepareThreads = options.prepareThreads ?? false;
    // Only a run on more than one worker has an order to choose (check/run-order.ts).
    this.fileTimes = new FileTimes(this.workers > 1 ? path.join(stateDir, 'file-times.json') : undefined);
    // A session that prepares its threads keeps a zygote for each, as the first files start at once,
    // and more when its runs start more programs (MAX_ZYGOTES).
    this.host = new ProgramHost({
      freePort,
      keepWarm: options.keepWarm,
      zygotes: this.prepareThreads ? this.workers : 1,
      maxZygotes: this.prepareThreads ? MAX_ZYGOTES : 1,
      expectedPrograms: options.expectedPrograms,
    });
    if (!process.listeners('exit').includes(removeTlsDirs)) process.once('exit', removeTlsDirs);
    tlsDirs.add(this.tlsDir);
  }

  /** What every run's worker sees in process.env: the run's own (root, seed) and the session's. */
  private runEnv(root: string, seed?: number): Record<string, string> {
    const env: Record<string, string> = { LEARN_ROOT: root, [HOST_ENV]: this.host.channelName, [TLS_DIR_ENV]: this.tlsDir, ...traceEnv() };
    if (seed !== undefined) env.LEARN_SEED = String(seed);
    return env;
  }

  /**
   * Creates the Vitest instance (and a zygote, if kept) now, so that the first run does not wait
   * for them; and the threads of the next run, if this session prepares them.
   */
  warm(): Promise<Vitest> {
    this.host.warm();
    const vitest = this.instance();
    this.prepare();
    return vitest;
  }

  /** Resolves once the threads being prepared are ready (at once if none are). */
  async prepared(): Promise<void> {
    await this.preparing;
  }

  private instance(): Promise<Vitest> {
    this.starting ??= createInstance(this.relay, this.workers, this.shelf).then((vitest) => (this.vitest = vitest));
    return this.starting;
  }

  /**
   * Starts the next run's threads, and imports the harness in them, with a warm-up run of
   * WARM_UP_FILES whose threads are shelved at its end (check/thread-shelf.ts). Its environment
   * is a run's without what varies between runs (the seed), so that no run inherits another's.
   */
  private prepare(): void {
    if (!this.prepareThreads || this.closed || this.preparing || this.running) return;
    const wanted = Math.min(this.workers, WARM_UP_FILES.length) - this.shelf.size;
    if (wanted <= 0) return;
    this.preparing = (async () => {
      const vitest = await this.instance();
      if (this.vitest !== vitest) return; // torn down meanwhile
      this.relay.begin([], [], false);
      this.setRunConfig(vitest, this.runEnv(repoRoot), START_ALLOWANCE_MS);
      const project = vitest.getRootProject();
      const exitCode = process.exitCode;
      this.shelf.keeping = true;
      try {
        await vitest.runTestSpecifications(WARM_UP_FILES.slice(0, wanted).map((file) => project.createSpecification(file)));
      } finally {
        this.shelf.keeping = false;
        // A warm-up cut short (the session closing) is a failed run to Vitest, which says so in
        // process.exitCode; the command decides its exit code.
        process.exitCode = exitCode;
      }
      trace(`run: ${this.shelf.size} threads prepared`);
    })()
      .catch(() => this.shelf.clear())
      .finally(() => (this.preparing = undefined));
  }

  private setRunConfig(vitest: Vitest, env: Record<string, string>, testMs: number): void {
    for (const config of [vitest.config, vitest.getRootProject().config]) {
      config.env = env;
      // Not Vitest's bail: its worker stops the run before the failing test's result is sent,
      // and with tests running concurrently that result can be lost (a failed run that reads as
      // passed). The run is stopped from here instead, once the failure has arrived.
      config.bail = 0;
      config.testTimeout = testMs;
      config.hookTimeout = testMs;
    }
  }

  /** From now on, keep the learner's next program starting between runs (check/blame.ts runs again). */
  keepWarm(): void {
    this.host.keepWarm();
  }

  async run(lesson: Lesson, options: SessionRunOptions): Promise<RunResult> {
    if (this.closed) throw new Error('This check session is closed.');
    const collector = new Collector(lesson.timeouts.testMs + STALL_GRACE_MS, () => void this.abort(), checkFolder(lesson));
    const onWorkerExit = (error: Error) => {
      collector.fail(error);
      void this.abort();
    };
    runsInFlight.add(onWorkerExit);
    guardWorkerExits();
    this.running = true;
    try {
      return await this.runWith(collector, lesson, options);
    } finally {
      runsInFlight.delete(onWorkerExit);
      this.running = false;
      this.prepare();
    }
  }

  private async runWith(collector: Collector, lesson: Lesson, options: SessionRunOptions): Promise<RunResult> {
    const files = options.only ? [options.only.file] : testFiles(lesson);
    if (files.length === 0) throw new Error(`Lesson ${lesson.slug} has no tests in ${path.relative(repoRoot, checkFolder(lesson))}.`);
    // First the learner's program: it starts on the other core while Vitest gets ready.
    trace('run: start');
    this.host.resume();
    // One worker runs them in name order: the first failure in that order is found first.
    const runOrder = this.workers > 1 ? this.fileTimes.order(files) : files;
    // One for each file that starts at once (its own worker) and asks for the program as the
    // manifest starts it, the rest as those are adopted.
    if (lesson.program) {
      const serverFiles = countDefaultServerFiles(files);
      const startingNow = countDefaultServerFiles(runOrder.slice(0, this.workers));
      await this.host.offer(programKey(lesson, undefined, options.root), serverFiles, startingNow);
    }
    trace('run: program spawned');
    // A run waits for a warm-up in progress (it takes its threads), but starts none itself.
    this.host.warm();
    const vitest = await this.instance();
    await this.preparing;
    trace('run: vitest ready');
    forgetCompiled(vitest, options.root);

    const bail = options.bail !== false;
    // The first failure in name order decides the report: whatever still runs (a later file on the
    // other worker, a test beside it) is dropped from it. Its programs are stopped too, so that a
    // test still waiting on one (a stub's slow timeout) ends now rather than hold the report back.
    if (bail) {
      collector.onFailure = () => {
        void vitest.cancelCurrentRun('test-failure').catch(() => {});
        void this.host.stopAll().then(() => trace('run: programs stopped at the first failure'));
      };
    }
    this.relay.begin([collector, this.fileTimes, ...(options.reporters ?? [])], files, bail);
    this.setRunConfig(vitest, this.runEnv(options.root, options.seed), lesson.timeouts.testMs);
    const project = vitest.getRootProject();
    const only = options.only && { testIds: [options.only.id] };
    const specifications: TestSpecification[] = runOrder.map((file) => project.createSpecification(file, only));
    const exitCode = process.exitCode;
    try {
      collector.arm(Math.max(collector.stallMs, START_ALLOWANCE_MS));
      await vitest.runTestSpecifications(specifications);
      trace('run: tests done');
    } catch (error) {
      // A closed instance (the watchdog) rejects its run; anything else is reported as it is.
      if (!collector.stalled) collector.fail(error as Error);
    } finally {
      // Vitest marks a failed run in process.exitCode; the command decides the exit code.
      process.exitCode = exitCode;
      collector.disarm();
      this.relay.begin([], [], bail);
      await this.host.stopAll();
      trace('run: programs stopped');
    }
    return collector.result();
  }

  /** Programs the latest run started (so far, while it runs). */
  get programsStarted(): number {
    return this.host.programsThisRun;
  }

  /**
   * Stops the programs of the run in progress (their kill is sent before this returns) and starts
   * no more for it, whatever its worker still asks; zygotes stay. The next run starts them again.
   */
  stopPrograms(): Promise<void> {
    return this.host.halt();
  }

  /** The processes kept ready for the next run (a zygote): not strays of this one (process/reaper.ts). */
  keptPids(): Set<number> {
    return this.host.zygotePids();
  }

  /** Tears the instance down (terminating its worker); the next run creates a new one. */
  async abort(): Promise<void> {
    const vitest = this.vitest;
    this.vitest = undefined;
    this.starting = undefined;
    if (vitest) {
      // Vitest first asks the worker to stop, and waits for it; a worker stuck in a learner's loop
      // never answers. A second cancel while the first waits terminates the worker thread.
      for (let i = 0; i < 2; i++) vitest.cancelCurrentRun('keyboard-input').catch(() => {});
      await Promise.race([vitest.close().catch(() => {}), delay(CLOSE_TIMEOUT_MS, undefined, { ref: false })]);
    }
    await this.shelf.clear();
    await this.host.stopAll();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.abort();
    await this.host.close();
    this.forgetTlsDir();
  }

  /**
   * For a process about to exit: stops every program and zygote (processes of their own), and
   * leaves the instance and its threads to end with the process, rather than wait on Vitest's
   * graceful close (seconds on a busy machine).
   */
  async closeForExit(): Promise<void> {
    this.closed = true;
    await this.host.close();
    this.forgetTlsDir();
  }

  private forgetTlsDir(): void {
    tlsDirs.delete(this.tlsDir);
    fs.rmSync(this.tlsDir, { recursive: true, force: true });
  }
}

/** The certificate folders of the sessions still open, removed at the latest when the process exits. */
const tlsDirs = new Set<string>();

function removeTlsDirs(): void {
  for (const dir of tlsDirs) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Drops what the instance compiled from the code under test (not from the checks), so that a run
 * imports the learner's files as they are now: between runs of a kept session they may have been
 * saved, renamed over, checked out. (The module cache on disk is keyed by content, so it is safe.)
 */
function forgetCompiled(vitest: Vitest, root: string): void {
  // Vite names files with forward slashes on every platform.
  const under = `${root.split(path.sep).join('/')}/`;
  for (const project of vitest.projects) {
    for (const environment of Object.values(project.vite.environments)) {
      for (const file of environment.moduleGraph.fileToModulesMap.keys()) {
        if (file.startsWith(under) && !file.includes('/.check/')) vitest.invalidateFile(file);
      }
    }
  }
}

/**
 * A Vitest worker that dies (out of memory, terminated while stopping) is reported by Vitest as an
 * 'error' event that may have no listener left, which throws "Worker exited unexpectedly" from
 * the main thread's event loop and would end the whole command. It fails the runs in flight instead
 * (which worker died cannot be told; the author matrix runs such a run again) and their instances
 * are replaced. Any other uncaught exception ends the process as it would have.
 */
const runsInFlight = new Set<(error: Error) => void>();
let guarding = false;

export function isWorkerExit(error: { message?: string } | undefined): boolean {
  return /^Worker exited unexpectedly|^\[vitest-pool-runner\]/.test(error?.message ?? '');
}

function guardWorkerExits(): void {
  if (guarding) return;
  guarding = true;
  process.on('uncaughtException', function onUncaught(error) {
    if (isWorkerExit(error)) {
      for (const fail of runsInFlight) fail(error);
      return;
    }
    // As if this listener were not there: another listener decides, or Node's own ending (the
    // error printed, exit code 1).
    if (process.listenerCount('uncaughtException') > 1) return;
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}

/**
 * How many test files start the lesson's program with the manifest's arguments: the host keeps
 * a program ready for each. (A file that passes its own arguments asks for its program when it
 * is collected.)
 */
function countDefaultServerFiles(files: string[]): number {
  return files.filter((file) => /\b(?:serverTest|udpServerTest)\(\s*(['"])[\w-]+\1\s*\)/.test(fs.readFileSync(file, 'utf8'))).length;
}

// The learner's program, started before the checks need it. A program's start is mostly node,
// tsx and the preload (a few hundred milliseconds); the learner's code is tens. So the check runner
// keeps the program here, in its main thread, and the test worker adopts it (process/adopt.ts)
// when its first test asks for the program:
// - at the start of a run the host starts the program while Vitest boots, from a zygote (a node
//   with tsx and the preload loaded, waiting to be told which entry to run: process/zygote.ts);
// - a long-lived host (learn watch, the resident check process, the author matrix) keeps zygotes
//   ready between runs (one per test file that starts at once), so a rerun's programs are up in
//   the time their code takes to load.
// Adopting is a conversation over a BroadcastChannel, which links the threads of one process: the
// worker asks for a program of a given kind, the host hands over a started one (or starts one),
// relays everything the child does (output, IPC messages, exit) to the worker from then on, and
// the worker's IPC messages (stats requests) to the child. Killing needs no relay: the worker kills
// the process group itself. The host stops every program at the end of every run, so nothing
// outlives a check whatever state the worker is in.

import type { ChildProcess } from 'node:child_process';
import { BroadcastChannel } from 'node:worker_threads';
import { trace } from '../trace.ts';
import { forget, killTree, remember } from './reaper.ts';
import { spawnZygoteProcess, takeEarlyZygote, zygoteEntry as zygote } from './spawn.mjs';
import type { ChildEvent, HostReply, ProgramKey, WorkerRequest } from './handoff.ts';

export { HOST_ENV, type ProgramKey } from './handoff.ts';

/** A process that will become a program: spawned, then told what to run. */
interface Hosted {
  id: number;
  child: ChildProcess;
  /** Set once told what to run. */
  key?: string;
  port?: number;
  startedAt?: number;
  /** What the program did before it was adopted, replayed to the adopter; undefined once adopted. */
  events: ChildEvent[] | undefined;
  ready: Promise<void>;
  exited: Promise<void>;
  gone: boolean;
}

/** How long an exit waits for the program's last output to arrive. */
const EXIT_DRAIN_MS = 100;

let channels = 0;

export interface ProgramHostOptions {
  /** Picks the port each program is told to listen on. */
  freePort: () => Promise<number>;
  /** Keep zygotes ready between runs (for hosts that live for many runs). */
  keepWarm?: boolean;
  /**
   * How many zygotes a warm host keeps at least: one per program a run starts at once (default 1).
   * A run that started more programs raises it, up to `maxZygotes` (see `warm`).
   */
  zygotes?: number;
  /** The most zygotes a warm host keeps (default `zygotes`: no more than that). */
  maxZygotes?: number;
  /**
   * How many programs its first run is likely to start, when something ran before it: a resident
   * process is told how many the check that started it did. The host then keeps that many ready
   * (up to `maxZygotes`) from the start, as it would after a run of its own.
   */
  expectedPrograms?: number;
}

export class ProgramHost {
  /** Pass as HOST_ENV to the test worker. */
  readonly channelName = `learn-program-host-${process.pid}-${++channels}`;
  private readonly channel = new BroadcastChannel(this.channelName);
  private readonly programs = new Map<number, Hosted>();
  private readonly zygotes: Hosted[] = [];
  private readonly expected = new Map<string, number>();
  private readonly adoptions = new Map<string, number>();
  private nextId = 1;
  /** Programs started since the run began (resume), and the zygotes to keep: see `warm`. */
  private startedThisRun = 0;
  /** Programs the previous run started (undefined before the first): see `replenish`. */
  private startedLastRun: number | undefined;
  private wantedZygotes: number;
  private closed = false;
  /** Stopped mid-run (Ctrl-C): a late request of that run's worker starts nothing (until resume()). */
  private halted = false;

  constructor(private readonly options: ProgramHostOptions) {
    this.wantedZygotes = options.zygotes ?? 1;
    if (options.expectedPrograms !== undefined && options.expectedPrograms > 0) {
      this.startedLastRun = options.expectedPrograms;
      this.wantedZygotes = Math.max(this.wantedZygotes, Math.min(options.expectedPrograms, options.maxZygotes ?? 0));
    }
    this.channel.unref();
    // A request after close() finds nothing to start; the worker asking is being torn down too.
    this.channel.onmessage = (event) => void this.onRequest((event as { data: WorkerRequest }).data).catch(() => {});
    // `learn check` started a zygote before it loaded anything else (bin/learn.mjs): the first
    // program comes from it.
    const early = takeEarlyZygote();
    if (early && early.child.exitCode === null && early.child.signalCode === null) this.zygotes.push(this.spawnZygote(early));
    else if (early) early.child.kill();
  }

  /**
   * Starts `now` programs for `key` (one for each test file that starts at once: one per worker),
   * and keeps one started until `count` have been adopted (one per test file that will ask for it).
   */
  async offer(key: ProgramKey, count = 1, now = Math.min(count, 1)): Promise<void> {
    const name = keyOf(key);
    this.expected.set(name, count);
    this.adoptions.set(name, 0);
    let spares = [...this.programs.values()].filter((hosted) => hosted.key === name && hosted.events).length;
    for (; spares < now; spares++) await this.start(key);
  }

  /** Stops the run's programs and starts no more for it: the run is being torn down. */
  halt(): Promise<void> {
    this.halted = true;
    return this.stopAll();
  }

  /** A new run: programs may be started again. */
  resume(): void {
    this.halted = false;
    if (this.startedThisRun > 0) this.startedLastRun = this.startedThisRun;
    this.startedThisRun = 0;
  }

  /**
   * Starts zygotes now if the host keeps them and has fewer, so the next run finds them ready: as
   * many as the most programs a run of this host has started (a learner checks the same lesson
   * again and again), at least `options.zygotes`, at most `options.maxZygotes`.
   */
  warm(): void {
    if (!this.options.keepWarm || this.closed) return;
    while (this.zygotes.length < this.wantedZygotes) this.zygotes.push(this.spawnZygote());
  }

  /** Keeps a zygote ready from now on: a host found to run again (the blame of a failed check). */
  keepWarm(): void {
    this.options.keepWarm = true;
    this.warm();
  }

  /** Stops every program started in this run; resolves when they are gone. Zygotes stay ready. */
  async stopAll(): Promise<void> {
    const all = [...this.programs.values()];
    this.programs.clear();
    this.expected.clear();
    this.adoptions.clear();
    await Promise.all(all.map(stop));
    this.warm();
  }

  /** The zygotes kept ready (not yet told what to run): not strays. */
  zygotePids(): Set<number> {
    return new Set(this.zygotes.flatMap((hosted) => (hosted.child.pid === undefined ? [] : [hosted.child.pid])));
  }

  /** Stops everything, zygotes too. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stopAll();
    await Promise.all(this.zygotes.splice(0).map(stop));
    this.channel.close();
  }

  private spare(name: string): Hosted | undefined {
    // One that exited already is adopted too: its exit and output are what the check must report.
    for (const hosted of this.programs.values()) if (hosted.key === name && hosted.events) return hosted;
    return undefined;
  }

  /** Turns a ready zygote (or a new one) into the program `key` on a free port. */
  private async start(key: ProgramKey): Promise<Hosted> {
    if (this.closed) throw new Error('The program host is closed: nothing more is started.');
    if (this.halted) throw new Error('The run was stopped: nothing more is started for it.');
    const port = await this.options.freePort();
    const hosted = this.zygotes.shift() ?? this.spawnZygote();
    this.startedThisRun++;
    this.wantedZygotes = Math.max(this.wantedZygotes, Math.min(this.startedThisRun, this.options.maxZygotes ?? 0));
    hosted.key = keyOf(key);
    hosted.port = port;
    hosted.startedAt = performance.now();
    this.programs.set(hosted.id, hosted);
    const run = { type: 'run', entry: key.entry, args: ['--port', String(port), ...key.args] };
    void hosted.ready.then(() => {
      if (!hosted.gone && hosted.child.connected) hosted.child.send(run, () => {});
    });
    trace(`program ${hosted.id} started: ${key.entry} ${key.args.join(' ')}`);
    this.replenish();
    return hosted;
  }

  /**
   * Mid-run, after a zygote became a program: a new one only if this run is likely to start
   * another program (the previous run started that many), so that it is ready by then. The
   * zygotes for the next run are started once this run has ended (stopAll), not while its tests
   * need both cores: lesson 19, which starts seven programs, took 0.35 s longer when they were.
   */
  private replenish(): void {
    if (!this.options.keepWarm || this.closed) return;
    // A first run, with nothing to go by: one for one, so that the next program finds one ready.
    // Growing the pool now (to as many as started so far) would start two for each program, all
    // during the run: with up to 8 kept, lesson 19's first served run took 3.6 s so (2.8 s with 3).
    if (this.startedLastRun === undefined) {
      if (this.zygotes.length < (this.options.zygotes ?? 1)) this.zygotes.push(this.spawnZygote());
      return;
    }
    if (this.startedThisRun + this.zygotes.length < this.startedLastRun) this.zygotes.push(this.spawnZygote());
  }

  /** Programs this run has started so far (since resume). */
  get programsThisRun(): number {
    return this.startedThisRun;
  }

  /** A new zygote, or one started earlier (`early.ready`: it said so before this listened). */
  private spawnZygote(early?: { child: ChildProcess; ready: boolean }): Hosted {
    const child = early?.child ?? spawnZygoteProcess();
    const hosted: Hosted = { id: this.nextId++, child, events: [], ready: Promise.resolve(), exited: Promise.resolve(), gone: false };
    if (child.pid !== undefined) remember(child.pid, zygote);
    // Before it is told what to run, nothing it does belongs to a program.
    const emit = (event: ChildEvent) => {
      if (hosted.startedAt === undefined) return;
      if (hosted.events) hosted.events.push(event);
      else this.post({ type: 'event', program: hosted.id, event });
    };
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => emit({ kind: 'stdout', text }));
    child.stderr!.on('data', (text: string) => emit({ kind: 'stderr', text }));
    let open = 2;
    let drained: () => void = () => {};
    const ended = new Promise<void>((resolve) => (drained = resolve));
    const end = (kind: 'stdout-end' | 'stderr-end') => {
      emit({ kind });
      if (--open === 0) drained();
    };
    child.stdout!.on('end', () => end('stdout-end'));
    child.stderr!.on('end', () => end('stderr-end'));
    hosted.ready = new Promise((resolve) => {
      if (early?.ready) resolve();
      child.on('message', (message: { type?: string }) => {
        if (message?.type === 'zygote-ready') return resolve();
        if (message?.type === 'listening') trace(`program ${hosted.id} listening`);
        emit({ kind: 'message', message });
      });
      child.once('exit', () => resolve());
    });
    child.on('error', () => {}); // a failed spawn shows as its exit
    hosted.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        hosted.gone = true;
        if (child.pid !== undefined) forget(child.pid);
        const idle = this.zygotes.indexOf(hosted);
        if (idle !== -1) this.zygotes.splice(idle, 1);
        // 'exit' can come before the last output: relay it once the pipes are drained, or soon
        // after (a grandchild may hold them open).
        let timer: NodeJS.Timeout | undefined;
        void Promise.race([ended, new Promise((wait) => (timer = setTimeout(wait, EXIT_DRAIN_MS)))]).then(() => {
          clearTimeout(timer); // or it would hold the process open that long after the last check
          emit({ kind: 'exit', code, signal });
          resolve();
        });
      });
    });
    return hosted;
  }

  private async onRequest(request: WorkerRequest): Promise<void> {
    if (request.type === 'send') {
      const child = this.programs.get(request.program)?.child;
      if (child?.connected) child.send(request.message as object, () => {});
      return;
    }
    const name = keyOf(request.key);
    if (request.type === 'prepare') {
      if (!this.spare(name)) await this.start(request.key);
      return;
    }
    const hosted = this.spare(name) ?? (await this.start(request.key));
    const events = hosted.events ?? [];
    hosted.events = undefined;
    const adopted = (this.adoptions.get(name) ?? 0) + 1;
    this.adoptions.set(name, adopted);
    trace(`program ${hosted.id} adopted`);
    this.post({
      type: 'adopted',
      request: request.request,
      program: hosted.id,
      pid: hosted.child.pid,
      port: hosted.port!,
      ageMs: performance.now() - hosted.startedAt!,
      events,
    });
    // The next test file that asks gets a program that has had time to start. A host that keeps a
    // zygote ready need not guess: the next file asks when it is collected ('prepare') and the
    // program is up in the time its code takes to load, and a run that stops at a failure in this
    // file (most runs of the author matrix) has started nothing for nothing.
    if (!this.options.keepWarm && adopted < (this.expected.get(name) ?? 0) && !this.spare(name)) await this.start(request.key);
  }

  private post(reply: HostReply): void {
    this.channel.postMessage(reply);
  }
}

async function stop(hosted: Hosted): Promise<void> {
  if (hosted.gone || hosted.child.pid === undefined) return;
  killTree(hosted.child.pid);
  await Promise.race([hosted.exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
}

function keyOf(key: ProgramKey): string {
  return JSON.stringify([key.entry, key.args, key.transport]);
}

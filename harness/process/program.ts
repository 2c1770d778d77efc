// The learner's program as a child process: started with tsx and the watching preload, waited on
// until it listens where it was told to, its output kept, and killed with everything it started.
// A program that does not start is a ProgramStartError: the fact and its data, no advice (the
// checks' layer, testing/explain.ts, says why and what to try).

import type { ChildProcess } from 'node:child_process';
import { spawnProgramProcess } from './spawn.mjs';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { PeerExit } from '../wire/errors.ts';
import { crashFrom } from './crash.ts';
import { TIMER_MARGIN_MS, onlyWaitsForInput, quietDatagramSockets, quietSockets } from './quiet.ts';
import { killTree, remember, forget } from './reaper.ts';
import type { ProgramMessage, StatsMessage } from './messages.ts';
import { repoRoot } from '../paths.ts';
import { setTimeout as delay } from 'node:timers/promises';

export interface ProgramSpec {
  /** The learner's (or the reference) entry file. */
  entry: string;
  /** Command-line arguments after the entry, e.g. `['--port', '40123']`. */
  args: string[];
  transport: 'tcp' | 'udp';
  /** The port the program was told to use; it must listen there. */
  port: number;
  /**
   * How long the learner's code may take to listen, from when its top level has run (or, for a top
   * level that never ends, from when it began to load): see waitUntilListening.
   */
  startTimeoutMs: number;
  /** What the learner calls it in messages: "your server". */
  name?: string;
  cwd?: string;
  /** Called with each line the program prints, as it prints it (`learn run` streams them). */
  onOutput?: (line: OutputLine) => void;
}

export interface OutputLine {
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the harness itself stopped the program. */
  stoppedByHarness: boolean;
}

export type ProgramStats = Omit<StatsMessage, 'type' | 'id'>;

/** Why a program did not come to listen where it was told, as data. */
export interface ProgramStartData {
  /** It exited first; it listens on another port; it did not listen in time. */
  kind: 'exited' | 'elsewhere' | 'timeout';
  /** What the learner calls it: "your server". */
  name: string;
  transport: 'tcp' | 'udp';
  port: number;
  /** Its entry, relative to the repository, and its arguments: how to run it by hand. */
  entry: string;
  args: string[];
  startTimeoutMs: number;
  /** Milliseconds from spawn to the end of the wait. */
  afterMs: number;
  /** kind 'exited': how it ended, and its exception from stderr. */
  exit?: PeerExit;
  /** kind 'elsewhere': where it listens instead. */
  elsewhere?: { host: string; port: number };
  /** kind 'timeout': it was running or ready to run most of the wait (a busy loop, not a wait). */
  busy?: boolean;
}

/** A moment of a program's start: ms since spawn, and its busy seconds then (Program.busySeconds). */
interface StartMark {
  at: number;
  busy: number | undefined;
}

export class ProgramStartError extends Error {
  override name = 'ProgramStartError';
  constructor(readonly start: ProgramStartData) {
    super(startFact(start));
  }
}

/** The fact, one sentence: "Expected your server to listen on port 40123 within 8 s, but it did not." */
function startFact(start: ProgramStartData): string {
  const on = (transport: string) => transport.toUpperCase();
  if (start.kind === 'exited') {
    return `Expected ${start.name} to start listening on port ${start.port}, but it ${start.exit?.description ?? 'exited'} after ${start.afterMs} ms.`;
  }
  if (start.kind === 'elsewhere') {
    return `Expected ${start.name} to listen on ${on(start.transport)} port ${start.port}, but it listens on ${on(start.transport)} ${start.elsewhere!.host} port ${start.elsewhere!.port}.`;
  }
  return `Expected ${start.name} to listen on port ${start.port} within ${start.startTimeoutMs / 1000} s, but it did not.`;
}

/** When the preload has said nothing by then, look for the port by connecting. */
const PROBE_AFTER_MS = 1500;

/**
 * A program whose top level never ends, or that never gets as far as loading the learner's code
 * (node and tsx that cannot start), is judged this many start bounds after its spawn. Only a real
 * failure gets there: node, tsx and the preload start in well under one bound on a loaded machine.
 */
const START_CAP_BOUNDS = 4;

/** How long a program's event loop may take to answer, to show that it turns (not a busy loop). */
const LOOP_ANSWER_MS = 1000;

/** A program that listens on another port gets this long to listen on the right one as well. */
const WRONG_PORT_GRACE_MS = 300;

/** Output lines kept per program: the tail is what explains a crash. */
const MAX_LINES = 300;

export class Program {
  readonly output: OutputLine[] = [];
  exit: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;
  /** Where it really listens, from the preload. */
  listening: { host: string; port: number } | undefined;

  private readonly child: ChildProcess;
  private started = performance.now();
  private stopping = false;
  private nextStatsId = 1;
  private readonly statsWaiters = new Map<number, (stats: ProgramStats) => void>();
  private readonly listenWaiters: Array<() => void> = [];
  private readonly otherListens: Array<{ host: string; port: number; transport: string; at: number }> = [];
  /**
   * When the learner's entry began to load, and when its top level had run (process/zygote.ts
   * says), in ms since spawn, with the program's busy seconds then: a start is judged from these.
   */
  private importing: StartMark | undefined;
  private running: StartMark | undefined;
  /** Its top level ran the whole start bound and its event loop did not answer: a busy loop. */
  private stuck = false;

  /**
   * Starts the program, or, given `adopted`, takes over one already started elsewhere (see
   * process/host.ts: the check runner starts it while Vitest boots): `adopted.child` stands in for
   * the child process, `adopted.ageMs` is how long ago it was spawned.
   */
  constructor(
    readonly spec: ProgramSpec,
    adopted?: { child: ChildProcess; ageMs: number },
  ) {
    this.child = adopted?.child ?? spawnProgramProcess(spec);
    if (adopted) this.started -= adopted.ageMs;
    else if (this.child.pid !== undefined) remember(this.child.pid, spec.entry);
    this.capture(this.child.stdout!, 'stdout');
    this.capture(this.child.stderr!, 'stderr');
    this.child.on('message', (message: ProgramMessage) => this.onMessage(message));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        // A program that crashed just as the harness stopped it exits with its own code, not the
        // harness's SIGKILL: that exit is its own (taskkill on Windows leaves no such trace).
        this.exit = { code, signal, stoppedByHarness: this.stopping && (process.platform === 'win32' || signal !== null) };
        if (this.child.pid !== undefined && !adopted) forget(this.child.pid);
        for (const wake of this.listenWaiters.splice(0)) wake();
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get name(): string {
    return this.spec.name ?? 'your program';
  }

  /** Milliseconds since spawn. */
  now(): number {
    return Math.round(performance.now() - this.started);
  }

  /**
   * Resolves once the program listens on its port. Fails with a teaching message if it exits
   * first, listens somewhere else, or does not listen in time: `startTimeoutMs` after its top level
   * has run. The bound is counted from there, not from the spawn: on a busy machine node and tsx
   * alone can take longer than the bound to start, and a program judged before its code ran would
   * be called one that never listens (or, its start having kept it busy, a busy loop).
   */
  async waitUntilListening(): Promise<void> {
    while (!this.listening) {
      if (this.exit) throw this.exitedAtStart();
      // Listening on the wrong port is final once it has had a moment to listen on the right one too.
      const wrongFor = this.otherListens[0] ? this.now() - this.otherListens[0].at : 0;
      if (wrongFor > WRONG_PORT_GRACE_MS) throw this.neverListened();
      const left = await this.startTimeLeft();
      if (this.listening) break;
      if (this.exit) throw this.exitedAtStart();
      if (left <= 0) throw this.neverListened();
      // Woken by the preload's message or by exit. The probe is a late fallback for programs whose
      // listen the preload cannot see (a child process of theirs, say); it starts late because a
      // probe is a real connection the program would see.
      await Promise.race([new Promise<void>((wake) => this.listenWaiters.push(wake)), delay(Math.min(left, 250))]);
      const late = this.now() > PROBE_AFTER_MS;
      if (!this.listening && late && this.spec.transport === 'tcp' && (await canConnect(this.spec.port))) {
        this.listening = { host: '127.0.0.1', port: this.spec.port };
      }
    }
  }

  /**
   * Milliseconds left before a program that does not listen is judged; 0 or less: judge it now.
   * - Its top level has run: the bound from then.
   * - Its top level has run the whole bound without ending: a loop that never gives the event loop
   *   back, or an await that never settles (or a slow load). Only the loop keeps the event loop
   *   from answering, so it is judged at once; the others wait for the cap.
   * - Not yet loading the learner's code (node and tsx still starting): the cap.
   */
  private async startTimeLeft(): Promise<number> {
    const bound = this.spec.startTimeoutMs;
    if (this.running) return this.running.at + bound - this.now();
    const cap = START_CAP_BOUNDS * bound - this.now();
    if (!this.importing || cap <= 0) return cap;
    const left = this.importing.at + bound - this.now();
    if (left > 0) return Math.min(left, cap);
    if (this.stuck) return 0;
    const answered = (await this.stats(LOOP_ANSWER_MS)) !== undefined;
    // Its top level may have ended, or it listened or exited, while it was asked: look again.
    if (this.running || this.listening || this.exit) return 1;
    this.stuck = !answered;
    return this.stuck ? 0 : Math.min(cap, 250);
  }

  /** Memory and open handles, or undefined when the program does not answer in time (busy, gone). */
  stats(timeoutMs = 1000): Promise<ProgramStats | undefined> {
    if (this.exit || !this.child.connected) return Promise.resolve(undefined);
    const id = this.nextStatsId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.statsWaiters.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.statsWaiters.set(id, (stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      this.child.send({ type: 'stats', id });
    });
  }

  /**
   * True when the program has gone quiet for the next `forMs` (process/quiet.ts): every byte sent
   * to it read, every byte it wrote read at the other end, no connection waiting to be accepted,
   * nothing in its event loop but sockets waiting for input and timers due later than that (no
   * immediate, pending write or request), and every connection it has is established and leads to
   * one of `clients` (local ports of the caller's own connections, each established and with
   * nothing unread), so that no one else can give it input. The
   * sockets are read before and after the program's own answer, and must not have changed. Until
   * more input comes (or that time is up), such a program cannot write a byte or close a socket.
   * False whenever that cannot be told (not Linux, no answer within `answerMs`).
   */
  async quiet(clients: readonly number[], forMs: number, answerMs = 250): Promise<boolean> {
    const pid = this.child.pid;
    if (pid === undefined || this.exit || !this.child.connected) return false;
    const before = quietSockets(pid, clients);
    if (!before) return false;
    // Answered from the program's event loop: the callbacks of every read the kernel tables showed
    // done have run by then (a callback in progress finishes first).
    const asked = performance.now();
    const stats = await this.stats(answerMs);
    if (!stats?.timers || stats.threadPool !== false || !onlyWaitsForInput(stats.resources)) return false;
    // The window is counted from the question: the answer's way back only shortens what is left.
    const { nextMs } = stats.timers;
    if (nextMs !== null && nextMs - (performance.now() - asked) <= forMs + TIMER_MARGIN_MS) return false;
    return quietSockets(pid, clients) === before;
  }

  /**
   * The quiet proof for a program that speaks UDP (process/quiet.ts): true when every datagram the
   * caller sent it (`exchanged().sent`) has been handed to its code, every datagram it asked to send
   * has reached the caller (`exchanged().received`), nothing waits in its sockets' queues, and its
   * event loop holds nothing but sockets waiting for input and timers due later than `forMs` (no
   * send, lookup or immediate pending). Until the caller sends more (or that time is up), such a
   * program cannot send a datagram. A datagram lost on the way, or one from someone else, keeps the
   * counts apart: then it is never proved. False whenever that cannot be told.
   */
  async quietDatagrams(exchanged: () => { sent: number; received: number }, forMs: number, answerMs = 250): Promise<boolean> {
    const pid = this.child.pid;
    if (pid === undefined || this.exit || !this.child.connected) return false;
    const before = quietDatagramSockets(pid);
    if (!before) return false;
    const asked = performance.now();
    const { sent } = exchanged();
    const stats = await this.stats(answerMs);
    if (!stats?.timers || !stats.datagrams || stats.threadPool !== false || !onlyWaitsForInput(stats.resources)) return false;
    const { nextMs } = stats.timers;
    if (nextMs !== null && nextMs - (performance.now() - asked) <= forMs + TIMER_MARGIN_MS) return false;
    // Everything the caller had sent when it asked was handled by the time the program answered, and
    // everything the program had sent by then has arrived.
    if (stats.datagrams.received !== sent || stats.datagrams.sent !== exchanged().received) return false;
    return quietDatagramSockets(pid) === before;
  }

  /** CPU seconds used so far (Linux only; undefined elsewhere). Used to tell a busy loop from a wait. */
  cpuSeconds(): number | undefined {
    if (process.platform !== 'linux' || this.child.pid === undefined || this.exit) return undefined;
    try {
      const stat = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of /proc/pid/stat (utime, stime), in clock ticks of 1/100 s on Linux.
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return undefined;
    }
  }

  /**
   * Seconds the program spent running or ready to run (waiting for a CPU), where Linux tells
   * (/proc/pid/schedstat); CPU seconds otherwise. A busy loop is ready to run all the time however
   * loaded the machine is, while its CPU seconds shrink with the load: this tells a busy loop from
   * a wait on a loaded machine too.
   */
  busySeconds(): number | undefined {
    if (process.platform !== 'linux' || this.child.pid === undefined || this.exit) return undefined;
    try {
      const [running, waiting] = fs.readFileSync(`/proc/${this.child.pid}/schedstat`, 'utf8').split(' ').map(Number);
      if (Number.isFinite(running) && Number.isFinite(waiting)) return (running! + waiting!) / 1e9;
    } catch {
      // No schedstat (a kernel without it): CPU seconds below.
    }
    return this.cpuSeconds();
  }

  /** Kills the program and everything it started; resolves when it is gone. */
  async stop(): Promise<void> {
    if (this.exit || this.child.pid === undefined) return;
    this.stopping = true;
    killTree(this.child.pid);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }

  /** "exited with code 1", "was killed by SIGSEGV". */
  describeExit(): string {
    const exit = this.exit;
    if (!exit) return 'is still running';
    if (exit.signal) return `was killed by ${exit.signal}`;
    return `exited with code ${exit.code}`;
  }

  /**
   * How the program ended, once it ended on its own: its exit, and the exception that ended it
   * (first line and place, read from its stderr). Undefined while it runs or once the harness
   * stopped it.
   */
  exitReport(): PeerExit | undefined {
    const exit = this.exit;
    if (!exit || exit.stoppedByHarness) return undefined;
    const stderr = this.output.filter((l) => l.stream === 'stderr').map((l) => l.text);
    const entry = path.relative(repoRoot, this.spec.entry);
    return { description: this.describeExit(), code: exit.code, signal: exit.signal, ...crashFrom(stderr, repoRoot), entry, args: this.spec.args };
  }

  /**
   * Resolves once a program that is dying has been seen to exit, so that a failure can say so;
   * at once when it is running (or already known to have exited). Bounded.
   */
  async settle(ms = 1000): Promise<void> {
    if (this.exit || this.child.pid === undefined) return;
    // On Linux a dying program is a zombie (or gone) until its exit is reported. Elsewhere there
    // is no cheap way to tell, so its exit gets a short moment.
    const bound = process.platform === 'linux' ? (isDying(this.child.pid) ? ms : 0) : Math.min(ms, 100);
    if (bound === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, bound)))]);
    clearTimeout(timer);
  }

  /** The last lines of stderr (or stdout when stderr is empty): usually the stack trace. */
  tail(lines = 12): string[] {
    const stderr = this.output.filter((l) => l.stream === 'stderr');
    const pick = stderr.length > 0 ? stderr : this.output;
    return pick.slice(-lines).map((l) => l.text);
  }

  private onMessage(message: ProgramMessage): void {
    if (message.type === 'importing' || message.type === 'running') {
      this[message.type] = { at: this.now(), busy: this.busySeconds() };
    } else if (message.type === 'listening') {
      if (message.port === this.spec.port && message.transport === this.spec.transport) {
        this.listening = { host: message.host, port: message.port };
      } else {
        this.otherListens.push({ ...message, at: this.now() });
      }
      for (const wake of this.listenWaiters.splice(0)) wake();
    } else if (message.type === 'stats') {
      const { type: _type, id, ...stats } = message;
      this.statsWaiters.get(id)?.(stats);
      this.statsWaiters.delete(id);
    }
  }

  private capture(stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.addLine(name, line);
    });
    stream.on('end', () => {
      if (partial) this.addLine(name, partial);
    });
  }

  private addLine(stream: 'stdout' | 'stderr', text: string): void {
    const line: OutputLine = { at: this.now(), stream, text: text.replace(/\r$/, '') };
    this.output.push(line);
    this.spec.onOutput?.(line);
    if (this.output.length > MAX_LINES) this.output.splice(0, this.output.length - MAX_LINES);
  }

  private startData(kind: ProgramStartData['kind']): ProgramStartData {
    const { name } = this;
    const { transport, port, args, startTimeoutMs } = this.spec;
    return { kind, name, transport, port, args, startTimeoutMs, entry: path.relative(repoRoot, this.spec.entry), afterMs: this.now() };
  }

  private exitedAtStart(): ProgramStartError {
    const exit = this.exitReport() ?? { description: this.describeExit(), code: this.exit?.code ?? null, signal: this.exit?.signal ?? null };
    return new ProgramStartError({ ...this.startData('exited'), exit });
  }

  private neverListened(): ProgramStartError {
    const elsewhere = this.otherListens[0];
    if (elsewhere) return new ProgramStartError({ ...this.startData('elsewhere'), elsewhere: { host: elsewhere.host, port: elsewhere.port } });
    // Time running or ready to run, not CPU seconds: on a loaded machine (the lesson matrix runs
    // beside the other tests) a busy loop gets a small share of a CPU, but it is always ready.
    // Counted over the time its own code had, not node's and tsx's start, which is busy too.
    const since = this.running ?? this.importing ?? { at: 0, busy: 0 };
    const busy = this.busySeconds();
    const window = (this.now() - since.at) / 1000;
    return new ProgramStartError({ ...this.startData('timeout'), busy: busy !== undefined && since.busy !== undefined && busy - since.busy > window * 0.6 });
  }
}

/**
 * Spawns the program as `node --import tsx --import preload.ts <entry> <args>`: its own process
 * group, output piped, and the IPC channel the preload talks on (process/spawn.mjs).
 */
export { spawnProgramProcess };

/** True when something accepts a TCP connection on 127.0.0.1:port right now. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      const self = connectsToItself(socket);
      socket.destroy();
      resolve(!self);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A connection to a port nobody listens on can succeed with itself: when the kernel picks that
 * very port as the source port, the SYN meets itself (TCP simultaneous open, RFC 9293 §3.5). The
 * probe then holds the program's port, its listen() fails with EADDRINUSE, and it looks as if it
 * listened and then crashed. Seen under load, where probes are many and ports are reused fast.
 */
export function connectsToItself(socket: net.Socket): boolean {
  return socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
}

/** Linux: the process has exited and waits to be reaped (a zombie), or is gone. */
function isDying(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

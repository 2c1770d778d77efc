// The learner's program, started before the checks need it. Starting it (node, tsx, their code)
// takes a few hundred milliseconds; the check runner starts it here, in its main thread, while
// Vitest boots, and the test worker adopts it (process/adopt.ts) when its first test asks for the
// program. Adopting is a conversation over a BroadcastChannel, which links the threads of one
// process: the worker asks for a program of a given spec, the host hands over a spare one (or
// starts one) and from then on relays everything the child does (output, IPC messages, exit) to
// the worker, and the worker's IPC messages (stats requests) to the child. Killing needs no relay:
// the worker kills the process group itself. The host stops everything it started at the end of
// every run, so nothing outlives a check whatever state the worker is in.

import type { ChildProcess } from 'node:child_process';
import { BroadcastChannel } from 'node:worker_threads';
import { forget, killTree, remember } from './reaper.ts';
import { spawnProgramProcess } from './program.ts';
import { trace } from '../check/trace.ts';

/** The environment variable that tells a test worker which channel its host listens on. */
export const HOST_ENV = 'LEARN_PROGRAM_HOST';

/** What identifies a program the worker can adopt: the same entry, arguments and transport. */
export interface ProgramKey {
  entry: string;
  /** Arguments after `--port N`. */
  args: string[];
  transport: 'tcp' | 'udp';
}

export type ChildEvent =
  | { kind: 'stdout' | 'stderr'; text: string }
  | { kind: 'stdout-end' | 'stderr-end' }
  | { kind: 'message'; message: unknown }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null };

/** Worker → host. */
export type WorkerRequest =
  | { type: 'adopt'; request: string; key: ProgramKey }
  | { type: 'prepare'; key: ProgramKey }
  | { type: 'send'; program: number; message: unknown };

/** Host → worker. */
export type HostReply =
  | { type: 'adopted'; request: string; program: number; pid: number | undefined; port: number; ageMs: number; events: ChildEvent[] }
  | { type: 'event'; program: number; event: ChildEvent };

interface Hosted {
  id: number;
  key: string;
  child: ChildProcess;
  port: number;
  spawnedAt: number;
  /** Everything the child did before it was adopted, replayed to the adopter. */
  events: ChildEvent[] | undefined;
  exited: Promise<void>;
}

/** How long an exit waits for the program's last output to arrive. */
const EXIT_DRAIN_MS = 100;

let channels = 0;

export class ProgramHost {
  /** Pass as HOST_ENV to the test worker. */
  readonly channelName = `learn-program-host-${process.pid}-${++channels}`;
  private readonly channel = new BroadcastChannel(this.channelName);
  private readonly programs = new Map<number, Hosted>();
  private readonly expected = new Map<string, number>();
  private readonly adoptions = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly freePort: () => Promise<number>) {
    this.channel.unref();
    this.channel.onmessage = (event) => void this.onRequest((event as { data: WorkerRequest }).data);
  }

  /**
   * Starts a spare program for `key` now, and keeps one spare ready until `count` have been adopted
   * (one per test file that will ask for it).
   */
  async offer(key: ProgramKey, count = 1): Promise<void> {
    const name = keyOf(key);
    this.expected.set(name, count);
    this.adoptions.set(name, 0);
    if (count > 0 && !this.spare(name)) await this.start(key);
  }

  /** Stops every program this host started; resolves when they are gone. Ready for the next run. */
  async stopAll(): Promise<void> {
    const all = [...this.programs.values()];
    this.programs.clear();
    this.expected.clear();
    this.adoptions.clear();
    for (const hosted of all) if (hosted.child.pid !== undefined && hosted.child.exitCode === null && hosted.child.signalCode === null) killTree(hosted.child.pid);
    await Promise.all(all.map((hosted) => Promise.race([hosted.exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())])));
  }

  close(): void {
    this.channel.close();
  }

  private spare(name: string): Hosted | undefined {
    // One that exited already is adopted too: its exit and output are what the check must report.
    for (const hosted of this.programs.values()) if (hosted.key === name && hosted.events) return hosted;
    return undefined;
  }

  private async start(key: ProgramKey): Promise<Hosted> {
    const port = await this.freePort();
    const child = spawnProgramProcess({ entry: key.entry, args: ['--port', String(port), ...key.args] });
    const hosted: Hosted = { id: this.nextId++, key: keyOf(key), child, port, spawnedAt: performance.now(), events: [], exited: Promise.resolve() };
    if (child.pid !== undefined) remember(child.pid, key.entry);
    trace(`program ${hosted.id} spawned`);
    const emit = (event: ChildEvent) => {
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
    child.on('message', (message: { type?: string }) => {
      if (message?.type === 'listening') trace(`program ${hosted.id} listening`);
      emit({ kind: 'message', message });
    });
    child.on('error', () => {}); // a failed spawn shows as its exit
    hosted.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        if (child.pid !== undefined) forget(child.pid);
        // 'exit' can come before the last output: relay it once the pipes are drained, or soon
        // after (a grandchild may hold them open).
        void Promise.race([ended, new Promise((wait) => setTimeout(wait, EXIT_DRAIN_MS))]).then(() => {
          emit({ kind: 'exit', code, signal });
          resolve();
        });
      });
    });
    this.programs.set(hosted.id, hosted);
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
    this.post({ type: 'adopted', request: request.request, program: hosted.id, pid: hosted.child.pid, port: hosted.port, ageMs: performance.now() - hosted.spawnedAt, events });
    // The next test file that asks gets a program that has had time to start.
    if (adopted < (this.expected.get(name) ?? 0) && !this.spare(name)) await this.start(request.key);
  }

  private post(reply: HostReply): void {
    this.channel.postMessage(reply);
  }
}

function keyOf(key: ProgramKey): string {
  return JSON.stringify([key.entry, key.args, key.transport]);
}

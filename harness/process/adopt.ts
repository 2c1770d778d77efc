// The test worker's side of process/host.ts: take over a program the check runner started, as a
// Program like any other. A stand-in for the ChildProcess replays what the program did before it
// was adopted and relays the rest as it happens, so Program's logic (waiting for the listen,
// stats, output, exit) runs unchanged.

import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { BroadcastChannel } from 'node:worker_threads';
import { HOST_ENV, type ChildEvent, type HostReply, type ProgramKey, type WorkerRequest } from './handoff.ts';
import { Program, type ProgramSpec } from './program.ts';

/** The host answers at once; this bounds a wait on a host that is gone. */
const ADOPT_TIMEOUT_MS = 5000;

let channel: BroadcastChannel | undefined;
const children = new Map<number, RemoteChild>();
const pending = new Map<string, (reply: Extract<HostReply, { type: 'adopted' }>) => void>();

function hostChannel(): BroadcastChannel | undefined {
  const name = process.env[HOST_ENV];
  if (!name) return undefined;
  if (!channel) {
    channel = new BroadcastChannel(name);
    channel.unref();
    channel.onmessage = (event) => {
      const reply = (event as { data: HostReply }).data;
      if (reply.type === 'adopted') pending.get(reply.request)?.(reply);
      else children.get(reply.program)?.receive(reply.event);
    };
  }
  return channel;
}

/** Whether a host started programs for this worker to adopt (a `learn check`, not `npm test`). */
export function hasHost(): boolean {
  return hostChannel() !== undefined;
}

/** Asks the host to start a program of this kind now, so that it is ready when a test asks. */
export function prepareProgram(key: ProgramKey): void {
  hostChannel()?.postMessage({ type: 'prepare', key } satisfies WorkerRequest);
}

/**
 * A running program of `key` from the host, as a Program on the port the host gave it.
 * `spec` is everything else a Program needs (timeouts, name).
 */
export async function adoptProgram(key: ProgramKey, spec: Omit<ProgramSpec, 'entry' | 'args' | 'transport' | 'port'>): Promise<Program> {
  const host = hostChannel();
  if (!host) throw new Error(`adoptProgram needs ${HOST_ENV}: no host started programs for this run.`);
  const request = randomUUID();
  const reply = await new Promise<Extract<HostReply, { type: 'adopted' }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(request);
      reject(new Error(`The check runner did not hand over ${spec.name ?? 'the program'} within ${ADOPT_TIMEOUT_MS / 1000} s.`));
    }, ADOPT_TIMEOUT_MS);
    pending.set(request, (reply) => {
      clearTimeout(timer);
      pending.delete(request);
      resolve(reply);
    });
    host.postMessage({ type: 'adopt', request, key } satisfies WorkerRequest);
  });
  const child = new RemoteChild(reply.program, reply.pid, host);
  children.set(reply.program, child);
  const program = new Program(
    { ...spec, entry: key.entry, args: ['--port', String(reply.port), ...key.args], transport: key.transport, port: reply.port },
    { child: child as unknown as ChildProcess, ageMs: reply.ageMs },
  );
  // Program listens now: replay what happened before the adoption, then relay as it comes.
  child.start(reply.events);
  void program.exited.then(() => children.delete(reply.program));
  return program;
}

/** The parts of a ChildProcess that Program uses, fed from the host. */
class RemoteChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  connected = true;
  private queue: ChildEvent[] | undefined = [];

  constructor(
    private readonly id: number,
    readonly pid: number | undefined,
    private readonly host: BroadcastChannel,
  ) {
    super();
  }

  send(message: unknown): boolean {
    if (!this.connected) return false;
    this.host.postMessage({ type: 'send', program: this.id, message } satisfies WorkerRequest);
    return true;
  }

  start(before: ChildEvent[]): void {
    const during = this.queue ?? [];
    this.queue = undefined;
    for (const event of [...before, ...during]) this.apply(event);
  }

  receive(event: ChildEvent): void {
    if (this.queue) this.queue.push(event);
    else this.apply(event);
  }

  private apply(event: ChildEvent): void {
    switch (event.kind) {
      case 'stdout':
      case 'stderr':
        this[event.kind].write(event.text);
        break;
      case 'stdout-end':
        this.stdout.end();
        break;
      case 'stderr-end':
        this.stderr.end();
        break;
      case 'message':
        this.emit('message', event.message);
        break;
      case 'exit':
        this.connected = false;
        this.stdout.end();
        this.stderr.end();
        this.emit('exit', event.code, event.signal);
        break;
    }
  }
}

// A UDP echo server that misbehaves on purpose, the way a real network path may: it drops
// datagrams, sends some back twice, and delays others (which reorders them). What happens to each
// datagram comes from a schedule: written out by a test, or drawn from the seeded random stream of
// segmentation.ts, so that `learn check --seed S` replays the same losses. Everything is recorded
// in the test's transcript, one event per datagram.

import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { randomInt, runSeed } from './segmentation.ts';
import type { Transcript } from './transcript.ts';
import type { Datagram } from './udp.ts';

/** What happens to one datagram: the delay in ms of each copy sent back. `[]` drops it, `[0, 30]` duplicates it. */
export type Fate = number[];

/** Decides the fate of each datagram from its arrival number (0-based) and its bytes. */
export type Schedule = ((index: number, data: Buffer) => Fate) & { seeded?: boolean };

export interface LossyOptions {
  /** Chance that a datagram is dropped (0 to 1). */
  drop?: number;
  /** Chance that one that gets through is sent back twice. */
  duplicate?: number;
  /** Each copy waits a random 0 to maxDelayMs first, so later datagrams can overtake it. */
  maxDelayMs?: number;
}

/**
 * A schedule drawn from the test's seeded random stream (see segmentation.ts: reseed, randomInt), or
 * from `random` when given: a test that runs concurrently passes its own (its transcript's), so
 * that a seed replays it whatever the other tests drew meanwhile.
 */
export function lossy({ drop = 0.2, duplicate = 0.2, maxDelayMs = 40 }: LossyOptions = {}, random?: () => number): Schedule {
  const draw = (min: number, max: number) => (random ? min + Math.floor(random() * (max - min + 1)) : randomInt(min, max));
  const chance = (p: number) => draw(0, 9999) < p * 10000;
  const schedule: Schedule = () => {
    if (chance(drop)) return [];
    const copies = chance(duplicate) ? 2 : 1;
    return Array.from({ length: copies }, () => draw(0, maxDelayMs));
  };
  schedule.seeded = true;
  return schedule;
}

/** Every datagram echoed at once: a perfect path. */
export const perfect: Schedule = () => [0];

export interface LossyEchoOptions {
  transcript: Transcript;
  schedule?: Schedule;
  /** The server's name in the transcript. */
  name?: string;
}

export class LossyEchoServer {
  /** Every datagram that arrived, in order, whatever its fate. */
  readonly received: Datagram[] = [];
  /** Where the last datagram came from: the client under test. */
  lastSender: { address: string; port: number } | undefined;
  schedule: Schedule;

  private readonly timers = new Set<NodeJS.Timeout>();
  private impostorSocket: dgram.Socket | undefined;
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly options: LossyEchoOptions,
  ) {
    this.schedule = options.schedule ?? perfect;
    socket.on('message', (data, rinfo) => this.onDatagram(data, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', (error) => options.transcript.note(`${this.name}: ${error.message}`));
  }

  /** Binds to an ephemeral port on 127.0.0.1. */
  static async start(options: LossyEchoOptions): Promise<LossyEchoServer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new LossyEchoServer(socket, options);
  }

  get port(): number {
    return (this.socket.address() as AddressInfo).port;
  }

  get name(): string {
    return this.options.name ?? 'server';
  }

  /**
   * Sends `data` to the client from another port: a stranger (or an attacker) who guessed the
   * client's address. A careful client ignores it.
   */
  async impostor(data: Buffer): Promise<void> {
    const to = this.lastSender;
    if (!to) throw new Error('impostor(): no client has sent anything yet');
    if (!this.impostorSocket) {
      this.impostorSocket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => this.impostorSocket!.bind(0, '127.0.0.1', resolve));
    }
    const from = (this.impostorSocket.address() as AddressInfo).port;
    this.options.transcript.note(`a stranger on port ${from} sends the next datagram, not the server on port ${this.port}`);
    this.options.transcript.datagram('send', 'stranger', data);
    await new Promise<void>((resolve) => this.impostorSocket!.send(data, to.port, to.address, () => resolve()));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.socket.close();
    this.impostorSocket?.close();
  }

  private onDatagram(data: Buffer, from: { address: string; port: number }): void {
    const index = this.received.length;
    this.received.push({ data, from });
    this.lastSender = from;
    const { transcript } = this.options;
    transcript.datagram('recv', this.name, data);
    if (this.schedule.seeded && !transcript.randomised) {
      transcript.randomised = true;
      transcript.note(`the server drops, duplicates and delays datagrams at random (seed ${runSeed})`);
    }
    const fate = this.schedule(index, data);
    transcript.note(describeFate(index, fate));
    for (const delayMs of fate) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.closed) return;
        transcript.datagram('send', this.name, data);
        this.socket.send(data, from.port, from.address);
      }, delayMs);
      this.timers.add(timer);
    }
  }
}

function describeFate(index: number, fate: Fate): string {
  const which = `datagram #${index + 1}`;
  if (fate.length === 0) return `${which}: dropped`;
  if (fate.length === 1) return fate[0] === 0 ? `${which}: echoed` : `${which}: echoed after ${fate[0]} ms`;
  return `${which}: echoed ${fate.length} times, after ${fate.join(' and ')} ms`;
}

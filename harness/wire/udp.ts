// A UDP client for tests: it sends datagrams to the program, queues the ones that come back, and
// records each datagram as its own transcript event (a datagram's boundaries are the message).
// Every wait is bounded, and a wait that ends badly throws a WireError saying what came (or what
// `explain` makes of it, as for RawClient).

import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { byteCount, compareBytes, toBuffer, type Bytes } from './bytes.ts';
import { describe, type ClientOptions, type ReadOptions } from './client.ts';
import { WireError, type WireErrorData } from './errors.ts';
import { QuietProbe } from './quiet-probe.ts';
import { Signal } from './signal.ts';
import { setTimeout as delay } from 'node:timers/promises';

/** The same options as a TCP RawClient: name, port, host, transcript, peer, timeoutMs. */
export type UdpClientOptions = ClientOptions;

export interface Datagram {
  data: Buffer;
  from: { address: string; port: number };
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * What this thread's checks do that can give a program input, for the quiet proof (as RawClient
 * keeps for TCP): the UDP clients open, a count of their sends, the waits in progress, and per
 * program the datagrams sent to it and received by any client of it (closed ones too: a datagram
 * on its way to a closed client still counts as sent by the program). A proof holds only if
 * nothing was sent while it was made, the waiting client is the only one open and its wait the
 * only one.
 */
const open = new Set<UdpClient>();
let activity = 0;
let waits = 0;
const exchanges = new WeakMap<object, { sent: number; received: number }>();

export class UdpClient {
  /** Every datagram received, in arrival order, including those already read. */
  readonly received: Datagram[] = [];
  private readonly inbox: Datagram[] = [];
  /** Wakes the waits in progress when a datagram arrives or the socket closes. */
  private readonly signal = new Signal();
  private closed = false;
  /** Datagrams sent to and received from the program, shared by every client of it. */
  private readonly exchanged: { sent: number; received: number };

  private constructor(
    readonly socket: dgram.Socket,
    readonly name: string,
    private readonly options: UdpClientOptions,
  ) {
    const peer = options.peer ?? {};
    this.exchanged = exchanges.get(peer) ?? { sent: 0, received: 0 };
    exchanges.set(peer, this.exchanged);
    open.add(this);
    activity++;
    socket.on('message', (data, rinfo) => {
      this.exchanged.received++;
      const datagram = { data, from: { address: rinfo.address, port: rinfo.port } };
      const stranger = rinfo.port !== options.port ? ` (from port ${rinfo.port}, not ${options.port})` : '';
      options.transcript.datagram('recv', name, data);
      if (stranger) options.transcript.note(`${name} received that datagram${stranger}`);
      this.received.push(datagram);
      this.inbox.push(datagram);
      this.signal.notify();
    });
    // An ICMP "port unreachable" can surface here on some systems; it is not the test's failure.
    socket.on('error', (error) => options.transcript.note(`${name}: ${error.message}`));
  }

  /** Opens a socket on 127.0.0.1 (an ephemeral port) that talks to the program's port. */
  static async open(options: UdpClientOptions): Promise<UdpClient> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpClient(socket, options.name, options);
  }

  /** This client's own port: where replies must be sent. */
  get port(): number {
    return (this.socket.address() as AddressInfo).port;
  }

  /** Datagrams received and not yet read. */
  get buffered(): number {
    return this.inbox.length;
  }

  /** Sends one datagram to the program (or to `port`, when given). */
  async send(data: Bytes, port = this.options.port): Promise<void> {
    const bytes = toBuffer(data);
    this.options.transcript.datagram('send', this.name, bytes);
    activity++;
    if (port === this.options.port) this.exchanged.sent++;
    await new Promise<void>((resolve, reject) =>
      this.socket.send(bytes, port, this.options.host ?? '127.0.0.1', (error) => (error ? reject(error) : resolve())),
    );
  }

  /** The next datagram, whoever sent it. */
  receive(options: ReadOptions = {}): Promise<Datagram> {
    return this.waitFor(options);
  }

  /**
   * Reads the next datagram and fails unless it is exactly `expected` and came from the
   * program's port: a reply from another socket would be dropped by a client that connect()ed.
   */
  async expect(expected: Bytes, options: ReadOptions = {}): Promise<void> {
    const want = toBuffer(expected);
    const what = `a datagram of ${byteCount(want.length)}`;
    const started = performance.now();
    const got = await this.waitFor(options, what);
    if (!got.data.equals(want)) {
      throw this.failure(what, options, started, {
        kind: 'mismatch',
        fact: `Expected the datagram ${describe(want)}, received ${describe(got.data)}.`,
        comparison: compareBytes(want, got.data),
      });
    }
    if (got.from.port !== this.options.port) {
      throw this.failure(what, options, started, {
        kind: 'mismatch',
        fact: `Expected the reply to come from port ${this.options.port}, where the request went, but it came from port ${got.from.port}.`,
        teaching: {
          why: 'A UDP client knows its server by address and port. A reply from another port looks like a stranger, and a connect()ed socket drops it.',
          hint: 'Reply with the same socket that received the request: socket.send(msg, rinfo.port, rinfo.address).',
        },
      });
    }
  }

  /** Fails if a datagram arrives within `ms` (a window that ends early once none can: see waitFor). */
  async expectNothing(ms = 150, options: Omit<ReadOptions, 'max' | 'timeoutMs'> = {}): Promise<void> {
    const started = performance.now();
    const extra = await this.readFor(ms);
    if (extra.length > 0) {
      throw this.failure('no more datagrams', options, started, {
        kind: 'mismatch',
        fact: `Expected no more datagrams, received ${extra.length}: ${extra.map((d) => describe(d.data)).join(', ')}.`,
      });
    }
  }

  /** Waits `ms` and returns the datagrams that arrived meanwhile (possibly none). */
  async readFor(ms: number): Promise<Datagram[]> {
    waits++;
    try {
      const end = performance.now() + ms;
      const quiet = this.quietProbe(end);
      for (;;) {
        const left = end - performance.now();
        if (left <= 0 || this.closed || quiet.proved) break;
        await this.signal.wait(Math.max(1, quiet.pending ? left : Math.min(left, quiet.next() - performance.now())));
        quiet.poll();
      }
    } finally {
      waits--;
    }
    return this.inbox.splice(0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this);
    activity++;
    this.socket.close();
    this.signal.notify();
  }

  private async waitFor(options: ReadOptions, what = 'a datagram'): Promise<Datagram> {
    waits++;
    try {
      return await this.waiting(options, what);
    } finally {
      waits--;
    }
  }

  /**
   * Waits for the next datagram. A wait ends early, as a failure, once the program is proved quiet:
   * it was handed every datagram sent to it, everything it sent has arrived, and it waits for input
   * with no timer due within the wait (Program.quietDatagrams), so nothing can come.
   */
  private async waiting(options: ReadOptions, what: string): Promise<Datagram> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = performance.now();
    const deadline = started + timeoutMs;
    const quiet = this.quietProbe(deadline);
    for (;;) {
      const next = this.inbox.shift();
      if (next) return next;
      const peer = this.options.peer;
      const exit = peer?.exitReport();
      if (exit) {
        throw this.failure(what, options, started, { kind: 'exited', exit, fact: `Expected ${what}, received nothing.` });
      }
      if (quiet.proved && !this.closed) {
        const waited = Math.round(performance.now() - started);
        const peerName = peer?.name ?? 'the program';
        this.options.transcript.mark(
          'timeout',
          this.name,
          `gave up waiting for ${what} after ${waited} ms: ${peerName} had been handed every datagram and went quiet`,
        );
        throw this.failure(what, options, started, {
          kind: 'timeout',
          fact:
            `Expected ${what}, received nothing: ${peerName} had been handed every datagram sent to it and was waiting for more, ` +
            `with no send pending and no timer due within the ${timeoutMs / 1000} s, so nothing more could come.`,
        });
      }
      const left = deadline - performance.now();
      if (left <= 0 || this.closed) {
        this.options.transcript.mark('timeout', this.name, `gave up waiting for ${what} after ${timeoutMs} ms`);
        throw this.failure(what, options, started, {
          kind: this.closed ? 'closed' : 'timeout',
          fact: `Expected ${what} within ${timeoutMs / 1000} s, received nothing.`,
        });
      }
      const woken = this.signal.wait(Math.max(1, quiet.pending ? left : Math.min(left, quiet.next() - performance.now())));
      await (peer ? Promise.race([woken, peer.exited.then(() => delay(20))]) : woken);
      quiet.poll();
    }
  }

  /**
   * The quiet proof for a wait that ends at `end` (wire/quiet-probe.ts): made only while this is
   * the only client open and its wait the only one; the program is asked with what was exchanged.
   */
  private quietProbe(end: number): QuietProbe {
    return new QuietProbe({
      end,
      eligible: () => !this.closed && waits === 1 && open.size === 1 && open.has(this),
      probe: (withinMs) => this.options.peer?.quietDatagrams?.(() => ({ ...this.exchanged }), withinMs),
      activity: () => activity,
      signal: this.signal,
    });
  }

  /** The WireError for a wait of this socket, passed through `explain` when the options give one. */
  private failure(what: string, options: ReadOptions, started: number, data: Pick<WireErrorData, 'kind' | 'fact'> & Partial<WireErrorData>): Error {
    const error = new WireError({
      who: this.name,
      peer: this.options.peer?.name ?? 'the program',
      waitingFor: what,
      waitedMs: Math.round(performance.now() - started),
      timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      bytesUnread: this.inbox.reduce((sum, d) => sum + d.data.length, 0),
      ...data,
      teaching: { why: options.why, spec: options.spec, hint: options.hint, ...data.teaching },
    });
    return this.options.explain ? this.options.explain(error) : error;
  }
}

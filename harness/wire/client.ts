// A raw TCP client for tests: it writes bytes in chosen shapes, reads by delimiter, length or EOF,
// tells FIN from RST, and records everything in the test's transcript. Every wait is bounded, and
// a wait that ends badly throws a WireError that says what was expected and what came, as a
// sentence and as data. Given `explain` (the checks give testing/explain.ts), it throws what that
// makes of the WireError instead: a LessonFailure that teaches.

import net from 'node:net';
import tls from 'node:tls';
import { byteCount, compareBytes, firstDifference, quote, toBuffer, type Bytes } from './bytes.ts';
import { WireError, type PeerExit, type Teaching, type WireErrorData } from './errors.ts';
import { cut, runSeed, type Split } from './segmentation.ts';
import { QuietProbe } from './quiet-probe.ts';
import { Signal } from './signal.ts';
import type { Transcript } from './transcript.ts';
import { setTimeout as delay } from 'node:timers/promises';

/** What the client knows of the program it talks to, to explain a silence or a close. */
export interface Peer {
  name: string;
  /** Settles when the program exits. */
  exited: Promise<unknown>;
  /** Resolves once a program that is dying has been seen to exit (at once while it runs), within `ms`. */
  settle(ms: number): Promise<void>;
  /** How it ended, once it has ended on its own (undefined while it runs, or when the harness stopped it). */
  exitReport(): PeerExit | undefined;
  /** Seconds it has spent running or ready to run, where known: a busy loop's grow with the clock. */
  busySeconds(): number | undefined;
  /**
   * True when the program has gone quiet for the next `forMs`: it cannot write a byte or close a
   * socket until it gets more input (or a timer of its is due, later than that), and every
   * connection it has leads to one of `clients` (process/quiet.ts). Optional.
   */
  quiet?(clients: readonly number[], forMs: number): Promise<boolean>;
  /**
   * The same for a program that speaks UDP, given how many datagrams the caller has sent it and
   * received from it so far (read when asked, and again at the end). Optional.
   */
  quietDatagrams?(exchanged: () => { sent: number; received: number }, forMs: number): Promise<boolean>;
}

/** Turns a WireError into the error to throw (default: the WireError itself). */
export type Explain = (error: WireError) => Error;

export interface ClientOptions {
  name: string;
  port: number;
  host?: string;
  transcript: Transcript;
  peer?: Peer;
  /** Default bound on every wait, in ms. */
  timeoutMs?: number;
  explain?: Explain;
}

export interface SendOptions {
  /** How to cut the bytes into writes (default: one write). */
  split?: Split;
  /** Pause between pieces, so that they arrive as separate reads (default 1 ms when split). */
  gapMs?: number;
}

export interface ReadOptions {
  timeoutMs?: number;
  /**
   * Bounds the wait by progress instead of total time (timeoutMs is then not used): it fails once
   * no byte has arrived for this long. For long transfers, whose total time grows with the load on
   * the machine while a correct program's silences stay short.
   */
  idleMs?: number;
  /** Give up (fail) once this many bytes arrived without a match. */
  max?: number;
  /** Added to the failure when the read fails: why this was expected, what to try. */
  why?: string;
  spec?: string;
  hint?: string;
}

export type CloseKind = 'open' | 'fin' | 'rst' | 'closed';

/** Long enough for any correct program on a loaded 2-core machine, short enough to feel quick. */
const DEFAULT_TIMEOUT_MS = 2000;
/**
 * How long a failure may wait to learn whether the program behind the connection died: a crash
 * closes its sockets a moment before its exit is reported. Only a dying program is waited for.
 */
const EXIT_GRACE_MS = 500;

/**
 * What this thread's checks do that can give a program input, for the quiet proof (RawClient's
 * waitFor): the clients open, a count of their sends, connects, ends and resets, and the waits in
 * progress (reads, and the fixed-time reads of readFor and flood). A proof holds only if nothing
 * was done while it was made, the waiting client is the only one open and its wait the only one:
 * then no other code of the check can be on its way to give the program more input.
 */
const open = new Set<RawClient>();
let activity = 0;
let waits = 0;

/** How the program ended, if it is ending: waits (bounded) for a dying program's exit to be reported. */
export async function exitOf(peer: Peer | undefined): Promise<PeerExit | undefined> {
  if (!peer) return undefined;
  await peer.settle(EXIT_GRACE_MS);
  return peer.exitReport();
}

export class RawClient {
  /** How the connection ended from the program's side: FIN, RST, or still open. */
  state: CloseKind = 'open';
  bytesReceived = 0;

  private inbox: Buffer[] = [];
  private inboxLength = 0;
  /** Wakes the waits in progress whenever anything happens on the socket. */
  private readonly signal = new Signal();
  private readonly timeoutMs: number;

  private constructor(
    readonly socket: net.Socket,
    readonly name: string,
    private readonly transcript: Transcript,
    private readonly peer: Peer | undefined,
    timeoutMs: number,
    private readonly explainer: Explain | undefined,
  ) {
    this.timeoutMs = timeoutMs;
    open.add(this);
    activity++;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.inbox.push(chunk);
      this.inboxLength += chunk.length;
      this.bytesReceived += chunk.length;
      transcript.bytes('recv', name, chunk);
      this.signal.notify();
    });
    socket.on('end', () => {
      if (this.state === 'open') this.state = 'fin';
      transcript.mark('fin', name, `${peer?.name ?? 'the program'} closed the connection (FIN)`);
      this.signal.notify();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.state !== 'closed') {
        this.state = error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'rst' : 'closed';
        transcript.mark('rst', name, `${error.code ?? error.message}: the connection was reset`);
      }
      this.signal.notify();
    });
    socket.on('close', () => {
      open.delete(this);
      this.signal.notify();
    });
  }

  /** Connects to 127.0.0.1:port (or host), recording the connection in the transcript. */
  static connect(options: ClientOptions): Promise<RawClient> {
    const host = options.host ?? '127.0.0.1';
    const socket = net.connect({ host, port: options.port, allowHalfOpen: true });
    return RawClient.opening(socket, 'connect', options, {
      what: `a connection to ${host}:${options.port}`,
      failed: (code) => `could not connect to ${host}:${options.port} (${code})`,
      fact: (peer, code) => `Expected to connect to ${peer} at ${host}:${options.port}, but the connection failed (${code}).`,
      connected: () => `connected to ${host}:${options.port}`,
    });
  }

  /**
   * Connects with TLS (node:tls, loopback) and resolves once the handshake is done: the RawClient
   * then reads and writes the decrypted bytes, and `socket` is the TLSSocket (its ALPN protocol,
   * the peer's certificate). A handshake that fails rejects with the TLS error's code in the fact.
   */
  static connectTls(options: ClientOptions & { tls: tls.ConnectionOptions }): Promise<RawClient> {
    const host = options.host ?? '127.0.0.1';
    // allowHalfOpen is passed on to the TLSSocket (a net.Socket option the tls types leave out).
    const socket = tls.connect({ host, port: options.port, allowHalfOpen: true, ...options.tls } as tls.ConnectionOptions);
    return RawClient.opening(socket, 'secureConnect', options, {
      what: `a TLS handshake with ${host}:${options.port}`,
      failed: (code, message) => `TLS handshake with ${host}:${options.port} failed (${code}: ${message})`,
      fact: (peer, code, message) => `Expected a TLS handshake with ${peer} at ${host}:${options.port}, but it failed (${code}: ${message}).`,
      connected: () => `TLS connected to ${host}:${options.port} (${socket.getProtocol()}, ALPN ${socket.alpnProtocol || 'none'})`,
    });
  }

  /**
   * A RawClient once `socket` emits `ready` (connect, or secureConnect after a TLS handshake),
   * bounded by the client's timeout; a socket that fails first rejects with a WireError whose words
   * come from `say`.
   */
  private static opening(
    socket: net.Socket,
    ready: 'connect' | 'secureConnect',
    options: ClientOptions,
    say: { what: string; failed(code: string, message: string): string; fact(peer: string, code: string, message: string): string; connected(): string },
  ): Promise<RawClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => socket.destroy(Object.assign(new Error(`${ready === 'connect' ? 'connect' : 'TLS handshake'} ETIMEDOUT`), { code: 'ETIMEDOUT' })),
        timeoutMs,
      );
      const failed = async (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const code = error.code ?? error.message;
        const message = error.message.split('\n')[0]!;
        options.transcript.mark(code === 'ETIMEDOUT' ? 'timeout' : 'rst', options.name, say.failed(code, message));
        const peer = options.peer?.name ?? 'the program';
        const wire = new WireError({
          kind: code === 'ETIMEDOUT' ? 'timeout' : 'refused',
          fact: say.fact(peer, code, message),
          who: options.name,
          peer,
          waitingFor: say.what,
          waitedMs: Math.round(performance.now() - started),
          timeoutMs,
          connection: 'refused',
          code,
          bytesReceived: 0,
          exit: await exitOf(options.peer),
        });
        reject(options.explain ? options.explain(wire) : wire);
      };
      socket.once('error', failed);
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.off('error', failed); // from now on the RawClient listens
        options.transcript.mark('connect', options.name, say.connected());
        resolve(new RawClient(socket, options.name, options.transcript, options.peer, timeoutMs, options.explain));
      });
    });
  }

  /**
   * Wraps a connection the check accepted (the end a scripted server holds, see
   * testing/scripted-server.ts), recording it like a connection the check opened.
   */
  static accepted(socket: net.Socket, options: Omit<ClientOptions, 'port' | 'host'>): RawClient {
    options.transcript.mark('connect', options.name, `accepted a connection from ${socket.remoteAddress}:${socket.remotePort}`);
    return new RawClient(socket, options.name, options.transcript, options.peer, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.explain);
  }

  /** What a WireError becomes when thrown by this client (see ClientOptions.explain). */
  explain(error: WireError): Error {
    return this.explainer ? this.explainer(error) : error;
  }

  /** Bytes received so far and not yet read. */
  get buffered(): number {
    return this.inboxLength;
  }

  /**
   * Writes bytes, cut as asked. Several messages given as an array are coalesced into one write
   * (before cutting), the way a fast client or a proxy delivers them. Waits for each write to be
   * handed to the OS, so a program that stops reading holds this back (that is backpressure).
   */
  async send(data: Bytes | readonly Bytes[], options: SendOptions = {}): Promise<void> {
    const bytes = Array.isArray(data) ? Buffer.concat(data.map((d) => toBuffer(d))) : toBuffer(data as Bytes);
    const split = options.split ?? 'whole';
    const pieces = cut(bytes, split, this.transcript.random);
    if (split === 'random') this.transcript.randomised = true;
    if (split === 'random') this.transcript.note(`${this.name} sends ${byteCount(bytes.length)} cut at random points (seed ${runSeed})`);
    const gap = options.gapMs ?? (pieces.length > 1 ? 1 : 0);
    for (const [i, piece] of pieces.entries()) {
      if (this.socket.destroyed || this.socket.writableEnded) {
        throw this.explain(
          await this.ended(`to keep sending (${i} of ${pieces.length} writes done)`, {}, performance.now(), {
            fact: `Expected to keep sending to ${this.peerName}, but the connection is ${this.state === 'rst' ? 'reset' : 'closed'} after ${i} of ${pieces.length} writes.`,
            teaching: { hint: 'Does the program close connections too early, or crash on this input?' },
          }),
        );
      }
      this.transcript.bytes('send', this.name, piece);
      activity++;
      await new Promise<void>((resolve) => this.socket.write(piece, () => resolve()));
      if (gap > 0 && i < pieces.length - 1) await delay(gap);
    }
  }

  /**
   * Writes `chunk` again and again without reading, until `limit` bytes were accepted or the
   * program stopped taking them (no 'drain' for `stallMs`). Returns the bytes the OS accepted.
   * A program with backpressure stops reading when its writes back up, so this stalls early.
   */
  async flood(chunk: Buffer, limit: number, stallMs = 300): Promise<number> {
    activity++;
    waits++;
    try {
      return await this.flooding(chunk, limit, stallMs);
    } finally {
      waits--;
      activity++;
    }
  }

  private async flooding(chunk: Buffer, limit: number, stallMs: number): Promise<number> {
    let accepted = 0;
    let queued = 0;
    this.transcript.note(`${this.name} stops reading and writes up to ${byteCount(limit)}, until the program stops taking it`);
    this.socket.pause();
    while (queued < limit && !this.socket.destroyed) {
      queued += chunk.length;
      const more = this.socket.write(chunk, (error) => {
        if (!error) accepted += chunk.length;
      });
      if (!more) {
        const drained = await Promise.race([
          new Promise<boolean>((resolve) => this.socket.once('drain', () => resolve(true))),
          delay(stallMs).then(() => false),
        ]);
        if (!drained) break;
      }
    }
    await delay(10); // let the callbacks of writes the OS took land
    this.transcript.note(`the program accepted ${byteCount(accepted)} of ${byteCount(queued)} queued`);
    return accepted;
  }

  /** Half-close: sends FIN and keeps reading (socket.end with allowHalfOpen). */
  async end(): Promise<void> {
    this.transcript.mark('half-close', this.name, `${this.name} is done sending (FIN); still reading`);
    activity++;
    await new Promise<void>((resolve) => this.socket.end(resolve));
  }

  /**
   * Stops reading from the socket: the kernel buffers fill and the program's writes back up in
   * its own memory. Used to test what a program does while its peer is slow.
   */
  pauseReading(): void {
    activity++;
    this.transcript.note(`${this.name} stops reading`);
    this.socket.pause();
  }

  resumeReading(): void {
    activity++;
    this.transcript.note(`${this.name} reads again`);
    this.socket.resume();
  }

  /** Resets the connection (RST), as a crashed or impatient client would. */
  reset(): void {
    this.transcript.mark('reset', this.name, `${this.name} resets the connection (RST)`);
    activity++;
    this.socket.resetAndDestroy();
    this.state = 'closed';
  }

  /** Closes quietly at the end of a test. */
  destroy(): void {
    activity++;
    this.state = this.state === 'open' ? 'closed' : this.state;
    this.socket.destroy();
  }

  /** Reads exactly `n` bytes. */
  readExactly(n: number, options: ReadOptions = {}, what = byteCount(n)): Promise<Buffer> {
    return this.explained(this.waitFor(what, options, () => (this.inboxLength >= n ? this.take(n) : undefined)));
  }

  /** Reads up to and including the first `delimiter`. */
  readUntil(delimiter: Bytes, options: ReadOptions = {}): Promise<Buffer> {
    const delim = toBuffer(delimiter);
    const what = `bytes up to ${quote(delim)}`;
    const started = performance.now();
    return this.explained(
      this.waitFor(what, options, () => {
        const all = this.peek();
        const at = all.indexOf(delim);
        if (at >= 0) return this.take(at + delim.length);
        if (options.max !== undefined && all.length > options.max) {
          throw this.error(what, options, started, {
            kind: 'limit',
            limit: options.max,
            fact: `Expected ${quote(delim)} within ${byteCount(options.max)}, received ${byteCount(all.length)} without it.`,
          });
        }
        return undefined;
      }),
    );
  }

  /** Reads everything until the program closes the connection (FIN or RST). */
  readToEnd(options: ReadOptions = {}): Promise<Buffer> {
    return this.explained(this.waitFor('the connection to close', options, () => (this.state !== 'open' ? this.take(this.inboxLength) : undefined)));
  }

  /** Waits `ms` and returns whatever arrived meanwhile (possibly nothing). */
  async readFor(ms: number): Promise<Buffer> {
    waits++;
    try {
      await this.quietFor(ms);
    } finally {
      waits--;
    }
    return this.take(this.inboxLength);
  }

  /**
   * Waits `ms`, or less once nothing more can arrive within them: the program closed the
   * connection, or has gone quiet for the rest of the time (process/quiet.ts).
   */
  private async quietFor(ms: number): Promise<void> {
    const end = performance.now() + ms;
    const quiet = this.quietProbe(end);
    for (;;) {
      const left = end - performance.now();
      if (left <= 0 || this.state !== 'open' || quiet.proved) return;
      await this.signal.wait(Math.max(1, quiet.pending ? left : Math.min(left, quiet.next() - performance.now())));
      quiet.poll();
    }
  }

  /**
   * The quiet proof for a wait that ends at `end` (wire/quiet-probe.ts): made only while this is
   * the only client open, its wait the only one, and it has no bytes still to send (input on its way).
   */
  private quietProbe(end: number | (() => number)): QuietProbe {
    return new QuietProbe({
      // Read at each look: a wait bounded by progress (idleMs) moves its end whenever bytes come.
      get end() {
        return typeof end === 'number' ? end : end();
      },
      eligible: () => this.state === 'open' && waits === 1 && open.size === 1 && this.socket.writableLength === 0,
      probe: (withinMs) => this.peer?.quiet?.([this.socket.localPort ?? -1], withinMs),
      activity: () => activity,
      signal: this.signal,
    });
  }

  /** Reads `expected.length` bytes and fails, with a byte comparison, unless they are `expected`. */
  async expect(expected: Bytes, options: ReadOptions = {}): Promise<void> {
    const want = toBuffer(expected);
    const what = describe(want);
    const started = performance.now();
    let got: Buffer;
    try {
      got = await this.waitFor(what, options, () => (this.inboxLength >= want.length ? this.take(want.length) : undefined));
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      // Compare what did come, so the caret shows where it went wrong (nothing is said already).
      const partial = this.take(this.inboxLength);
      throw this.explain(partial.length > 0 ? error.with({ comparison: compareBytes(want, partial) }) : error);
    }
    if (!got.equals(want)) {
      // Long data that starts the same is told apart by where it stops matching.
      const at = firstDifference(want, got);
      const fact =
        want.length > 64 && at > 24
          ? `Expected ${byteCount(want.length)} back unchanged, received ${byteCount(got.length)} that differ from byte ${at} on.`
          : `Expected ${describe(want)}, received ${describe(got)}.`;
      throw this.explain(this.error(what, options, started, { kind: 'mismatch', fact, comparison: compareBytes(want, got) }));
    }
  }

  /** Fails if any byte arrives within `ms` (default 150): nothing unexpected may follow. */
  async expectNothingMore(ms = 150, options: Omit<ReadOptions, 'max' | 'timeoutMs'> = {}): Promise<void> {
    const started = performance.now();
    const extra = await this.readFor(ms);
    if (extra.length > 0) {
      throw this.explain(
        this.error('nothing more', options, started, {
          kind: 'mismatch',
          fact: `Expected nothing more, received ${byteCount(extra.length)}: ${describe(extra)}.`,
        }),
      );
    }
  }

  /** Waits for the program to close the connection; `by` says how it must (default: either). */
  async expectClose(options: ReadOptions & { by?: 'fin' | 'rst' | 'any' } = {}): Promise<CloseKind> {
    const started = performance.now();
    await this.explained(this.waitFor('the connection to close', options, () => (this.state !== 'open' ? true : undefined), { closeIsFailure: false }));
    const by = options.by ?? 'any';
    if (by !== 'any' && this.state !== by) {
      const fact = `Expected the connection to end with ${by.toUpperCase()}, but it ended with ${this.state.toUpperCase()}.`;
      throw this.explain(this.error(`the connection to end with ${by.toUpperCase()}`, options, started, { kind: 'mismatch', fact }));
    }
    return this.state;
  }

  private peek(): Buffer {
    if (this.inbox.length > 1) this.inbox = [Buffer.concat(this.inbox, this.inboxLength)];
    return this.inbox[0] ?? Buffer.alloc(0);
  }

  private take(n: number): Buffer {
    const all = this.peek();
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.inbox = rest.length > 0 ? [rest] : [];
    this.inboxLength = rest.length;
    return taken;
  }

  /**
   * The one waiting loop: checks `attempt` whenever something happens on the socket, until it
   * returns a value, the connection ends, the program exits, or time runs out. Throws WireErrors;
   * the public methods pass them through `explain`.
   */
  private async waitFor<T>(what: string, options: ReadOptions, attempt: () => T | undefined, { closeIsFailure = true } = {}): Promise<T> {
    waits++;
    try {
      return await this.waiting(what, options, attempt, closeIsFailure);
    } finally {
      waits--;
    }
  }

  private async waiting<T>(what: string, options: ReadOptions, attempt: () => T | undefined, closeIsFailure: boolean): Promise<T> {
    const timeoutMs = options.idleMs ?? options.timeoutMs ?? this.timeoutMs;
    const started = performance.now();
    const busyBefore = this.peer?.busySeconds();
    // The wait ends timeoutMs after it started, or with idleMs after the last byte that came.
    let since = started;
    let received = this.bytesReceived;
    const quiet = this.quietProbe(() => since + timeoutMs);
    for (;;) {
      const value = attempt();
      if (value !== undefined) return value;
      if (options.idleMs !== undefined && this.bytesReceived !== received) {
        received = this.bytesReceived;
        since = performance.now();
      }
      if (quiet.proved && this.state === 'open') {
        const waited = Math.round(performance.now() - started);
        this.transcript.mark('timeout', this.name, `gave up waiting for ${what} after ${waited} ms: ${this.peerName} read everything and went quiet`);
        throw this.error(what, options, started, {
          kind: 'timeout',
          fact:
            `Expected ${what}, received ${this.inboxLength === 0 ? 'nothing' : `${byteCount(this.inboxLength)} and then nothing`}: ` +
            `${this.peerName} had read everything sent to it and was waiting for more input, with no write pending and no timer due within the ${timeoutMs / 1000} s, so nothing more could come.`,
          exit: this.peer?.exitReport(),
        });
      }
      if (this.state !== 'open' && closeIsFailure) {
        const how = this.state === 'fin' ? 'closed the connection (FIN)' : 'reset the connection (RST)';
        throw await this.ended(what, options, started, {
          fact: `Expected ${what}, but ${this.peerName} ${how} after sending ${this.bytesReceived === 0 ? 'nothing' : byteCount(this.bytesReceived)}.`,
        });
      }
      const left = timeoutMs - (performance.now() - since);
      if (left <= 0) {
        const waited = performance.now() - started;
        this.transcript.mark(
          'timeout',
          this.name,
          options.idleMs === undefined ? `gave up waiting for ${what} after ${timeoutMs} ms` : `gave up waiting for ${what}: no byte for ${timeoutMs} ms`,
        );
        const busyAfter = this.peer?.busySeconds();
        const got = this.inboxLength === 0 ? 'nothing' : `${byteCount(this.inboxLength)} and then nothing`;
        throw this.error(what, options, started, {
          kind: 'timeout',
          fact:
            options.idleMs === undefined
              ? `Expected ${what} within ${timeoutMs / 1000} s, received ${got}.`
              : `Expected ${what}, received ${got} for ${timeoutMs / 1000} s.`,
          busyShare: busyBefore === undefined || busyAfter === undefined ? undefined : (busyAfter - busyBefore) / (waited / 1000),
          exit: this.peer?.exitReport(),
        });
      }
      // A program that exits wakes us too; its socket's own close events land first. So does a
      // probe that ends, and the time for the next one.
      const woken = this.signal.wait(Math.max(1, quiet.pending ? left : Math.min(left, quiet.next() - performance.now())));
      await (this.peer ? Promise.race([woken, this.peer.exited.then(() => delay(20))]) : woken);
      quiet.poll();
    }
  }

  /** A wait that found the connection closed or reset: says whether the program behind it died. */
  private async ended(what: string, options: ReadOptions, started: number, data: Pick<WireErrorData, 'fact' | 'teaching'>): Promise<WireError> {
    const exit = await exitOf(this.peer);
    return this.error(what, options, started, { kind: this.state === 'fin' ? 'closed' : 'reset', exit, ...data });
  }

  /** A WireError about this connection, with the wait's data and the caller's teaching. */
  private error(what: string, options: ReadOptions, started: number, data: Pick<WireErrorData, 'kind' | 'fact'> & Partial<WireErrorData>): WireError {
    const teaching: Teaching = { why: options.why, spec: options.spec, hint: options.hint };
    return new WireError({
      who: this.name,
      peer: this.peerName,
      waitingFor: what,
      waitedMs: Math.round(performance.now() - started),
      timeoutMs: options.idleMs ?? options.timeoutMs ?? this.timeoutMs,
      connection: this.state,
      bytesReceived: this.bytesReceived,
      bytesUnread: this.inboxLength,
      ...data,
      teaching: { ...teaching, ...data.teaching },
    });
  }

  /** Passes a WireError from `work` through `explain`. */
  private async explained<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw error instanceof WireError ? this.explain(error) : error;
    }
  }

  private get peerName(): string {
    return this.peer?.name ?? 'the program';
  }
}

/** `"hello\n"` for short text, `17 bytes` plus a quote of the start for longer data. */
export function describe(bytes: Buffer): string {
  if (bytes.length === 0) return 'nothing';
  if (bytes.length <= 64) return quote(bytes);
  return `${byteCount(bytes.length)} starting ${quote(bytes.subarray(0, 24))}`;
}

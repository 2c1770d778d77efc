// A raw TCP client for tests: it writes bytes in chosen shapes, reads by delimiter, length or EOF,
// tells FIN from RST, and records everything in the test's transcript. Every wait is bounded, and
// a wait that ends badly throws a LessonFailure that says what was expected and what came.

import net from 'node:net';
import { LessonFailure, type FailureDetails } from '../testing/failure.ts';
import { byteCount, firstDifference, quote, toBuffer, type Bytes } from './bytes.ts';
import { cut, runSeed, type Split } from './segmentation.ts';
import { Signal } from './signal.ts';
import type { Transcript } from './transcript.ts';
import { setTimeout as delay } from 'node:timers/promises';

/** What the client knows of the program it talks to, to explain a silence. */
export interface Peer {
  name: string;
  exit: unknown;
  exited: Promise<unknown>;
  describeExit(): string;
  cpuSeconds(): number | undefined;
}

export interface ClientOptions {
  name: string;
  port: number;
  host?: string;
  transcript: Transcript;
  peer?: Peer;
  /** Default bound on every wait, in ms. */
  timeoutMs?: number;
}

export interface SendOptions {
  /** How to cut the bytes into writes (default: one write). */
  split?: Split;
  /** Pause between pieces, so that they arrive as separate reads (default 1 ms when split). */
  gapMs?: number;
}

export interface ReadOptions {
  timeoutMs?: number;
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
/** How long a closed connection waits to learn whether the program behind it died. */
const EXIT_GRACE_MS = 150;

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
  ) {
    this.timeoutMs = timeoutMs;
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
    socket.on('close', () => this.signal.notify());
  }

  /** Connects to 127.0.0.1:port (or host), recording the connection in the transcript. */
  static connect(options: ClientOptions): Promise<RawClient> {
    const host = options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: options.port, allowHalfOpen: true });
      const timer = setTimeout(() => socket.destroy(new Error('ETIMEDOUT')), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        options.transcript.mark('connect', options.name, `connected to ${host}:${options.port}`);
        resolve(new RawClient(socket, options.name, options.transcript, options.peer, options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new LessonFailure({
            message: `Expected to connect to ${options.peer?.name ?? 'the program'} at ${host}:${options.port}, but the connection failed (${error.code ?? error.message}).`,
            why: options.peer?.exit ? `It ${options.peer.describeExit()}.` : 'Nothing accepted the connection.',
            hint: 'Is the server still listening? Does it close its listening socket after the first client?',
          }),
        );
      });
    });
  }

  /**
   * Wraps a connection the check accepted (the end a scripted server holds, see
   * testing/scripted-server.ts), recording it like a connection the check opened.
   */
  static accepted(socket: net.Socket, options: Omit<ClientOptions, 'port' | 'host'>): RawClient {
    options.transcript.mark('connect', options.name, `accepted a connection from ${socket.remoteAddress}:${socket.remotePort}`);
    return new RawClient(socket, options.name, options.transcript, options.peer, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
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
    const pieces = cut(bytes, split);
    if (split === 'random') this.transcript.randomised = true;
    if (split === 'random') this.transcript.note(`${this.name} sends ${byteCount(bytes.length)} cut at random points (seed ${runSeed})`);
    const gap = options.gapMs ?? (pieces.length > 1 ? 1 : 0);
    for (const [i, piece] of pieces.entries()) {
      if (this.socket.destroyed || this.socket.writableEnded) {
        throw new LessonFailure({
          message: `Expected to keep sending to ${this.peer?.name ?? 'the program'}, but the connection is ${this.state === 'rst' ? 'reset' : 'closed'} after ${i} of ${pieces.length} writes.`,
          hint: 'Does the program close connections too early, or crash on this input?',
        });
      }
      this.transcript.bytes('send', this.name, piece);
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
        const drained = await Promise.race([new Promise<boolean>((resolve) => this.socket.once('drain', () => resolve(true))), delay(stallMs).then(() => false)]);
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
    await new Promise<void>((resolve) => this.socket.end(resolve));
  }

  /**
   * Stops reading from the socket: the kernel buffers fill and the program's writes back up in
   * its own memory. Used to test what a program does while its peer is slow.
   */
  pauseReading(): void {
    this.transcript.note(`${this.name} stops reading`);
    this.socket.pause();
  }

  resumeReading(): void {
    this.transcript.note(`${this.name} reads again`);
    this.socket.resume();
  }

  /** Resets the connection (RST), as a crashed or impatient client would. */
  reset(): void {
    this.transcript.mark('reset', this.name, `${this.name} resets the connection (RST)`);
    this.socket.resetAndDestroy();
    this.state = 'closed';
  }

  /** Closes quietly at the end of a test. */
  destroy(): void {
    this.state = this.state === 'open' ? 'closed' : this.state;
    this.socket.destroy();
  }

  /** Reads exactly `n` bytes. */
  readExactly(n: number, options: ReadOptions = {}, what = byteCount(n)): Promise<Buffer> {
    return this.waitFor(what, options, () => (this.inboxLength >= n ? this.take(n) : undefined));
  }

  /** Reads up to and including the first `delimiter`. */
  readUntil(delimiter: Bytes, options: ReadOptions = {}): Promise<Buffer> {
    const delim = toBuffer(delimiter);
    return this.waitFor(`bytes up to ${quote(delim)}`, options, () => {
      const all = this.peek();
      const at = all.indexOf(delim);
      if (at >= 0) return this.take(at + delim.length);
      if (options.max !== undefined && all.length > options.max) {
        throw this.failure({ ...options, message: `Expected ${quote(delim)} within ${byteCount(options.max)}, received ${byteCount(all.length)} without it.` });
      }
      return undefined;
    });
  }

  /** Reads everything until the program closes the connection (FIN or RST). */
  readToEnd(options: ReadOptions = {}): Promise<Buffer> {
    return this.waitFor('the connection to close', options, () => (this.state !== 'open' ? this.take(this.inboxLength) : undefined));
  }

  /** Waits `ms` and returns whatever arrived meanwhile (possibly nothing). */
  async readFor(ms: number): Promise<Buffer> {
    await delay(ms);
    return this.take(this.inboxLength);
  }

  /** Reads `expected.length` bytes and fails, with a byte comparison, unless they are `expected`. */
  async expect(expected: Bytes, options: ReadOptions = {}): Promise<void> {
    const want = toBuffer(expected);
    let got: Buffer;
    try {
      got = await this.readExactly(want.length, options, describe(want));
    } catch (error) {
      // Compare what did come, so the caret shows where it went wrong.
      if (error instanceof LessonFailure && !error.learn.comparison) {
        const partial = this.take(this.inboxLength);
        const { why, spec, hint } = error.learn;
        throw this.failure({ message: error.message, why, spec, hint, expected: want, received: partial });
      }
      throw error;
    }
    if (!got.equals(want)) {
      // Long data that starts the same is told apart by where it stops matching.
      const at = firstDifference(want, got);
      const message =
        want.length > 64 && at > 24
          ? `Expected ${byteCount(want.length)} back unchanged, received ${byteCount(got.length)} that differ from byte ${at} on.`
          : `Expected ${describe(want)}, received ${describe(got)}.`;
      throw this.failure({ ...options, message, expected: want, received: got });
    }
  }

  /** Fails if any byte arrives within `ms` (default 150): nothing unexpected may follow. */
  async expectNothingMore(ms = 150, options: Omit<ReadOptions, 'max' | 'timeoutMs'> = {}): Promise<void> {
    const extra = await this.readFor(ms);
    if (extra.length > 0) {
      throw this.failure({ ...options, message: `Expected nothing more, received ${byteCount(extra.length)}: ${describe(extra)}.` });
    }
  }

  /** Waits for the program to close the connection; `by` says how it must (default: either). */
  async expectClose(options: ReadOptions & { by?: 'fin' | 'rst' | 'any' } = {}): Promise<CloseKind> {
    await this.waitFor('the connection to close', options, () => (this.state !== 'open' ? true : undefined), { closeIsFailure: false });
    const by = options.by ?? 'any';
    if (by !== 'any' && this.state !== by) {
      throw this.failure({ ...options, message: `Expected the connection to end with ${by.toUpperCase()}, but it ended with ${this.state.toUpperCase()}.` });
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
   * returns a value, the connection ends, the program exits, or time runs out.
   */
  private async waitFor<T>(what: string, options: ReadOptions, attempt: () => T | undefined, { closeIsFailure = true } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const started = performance.now();
    const cpuBefore = this.peer?.cpuSeconds();
    for (;;) {
      const value = attempt();
      if (value !== undefined) return value;
      if (this.state !== 'open' && closeIsFailure) {
        // A crash closes the socket a moment before the exit is reported: wait for it briefly, so
        // the failure can say the program died rather than just that it hung up.
        if (this.peer && !this.peer.exit) await Promise.race([this.peer.exited, delay(EXIT_GRACE_MS)]);
        const how = this.state === 'fin' ? 'closed the connection (FIN)' : 'reset the connection (RST)';
        const crashed = this.peer?.exit ? ` It ${this.peer.describeExit()}.` : '';
        throw this.failure({
          ...options,
          message: `Expected ${what}, but ${this.peer?.name ?? 'the program'} ${how} after sending ${this.bytesReceived === 0 ? 'nothing' : byteCount(this.bytesReceived)}.${crashed}`,
        });
      }
      const left = timeoutMs - (performance.now() - started);
      if (left <= 0) {
        this.transcript.mark('timeout', this.name, `gave up waiting for ${what} after ${timeoutMs} ms`);
        throw this.failure({ ...options, message: `Expected ${what} within ${timeoutMs / 1000} s, received ${this.inboxLength === 0 ? 'nothing' : `${byteCount(this.inboxLength)} and then nothing`}.`, why: this.silenceReason(cpuBefore, timeoutMs) ?? options.why });
      }
      // A program that exits wakes us too; its socket's own close events land first.
      const woken = this.signal.wait(left);
      await (this.peer ? Promise.race([woken, this.peer.exited.then(() => delay(20))]) : woken);
    }
  }

  /** Explains a silence: a busy loop (CPU pegged) is different from waiting for input. */
  private silenceReason(cpuBefore: number | undefined, timeoutMs: number): string | undefined {
    const cpuAfter = this.peer?.cpuSeconds();
    if (cpuBefore === undefined || cpuAfter === undefined) return undefined;
    const share = (cpuAfter - cpuBefore) / (timeoutMs / 1000);
    if (share > 0.8) {
      return `${this.peer!.name} kept the CPU busy (${Math.round(share * 100)}%) the whole time: a loop that never returns to the event loop blocks every socket, this one included.`;
    }
    return undefined;
  }

  private failure(details: FailureDetails): LessonFailure {
    return new LessonFailure(details);
  }
}

/** `"hello\n"` for short text, `17 bytes` plus a quote of the start for longer data. */
export function describe(bytes: Buffer): string {
  if (bytes.length === 0) return 'nothing';
  if (bytes.length <= 64) return quote(bytes);
  return `${byteCount(bytes.length)} starting ${quote(bytes.subarray(0, 24))}`;
}

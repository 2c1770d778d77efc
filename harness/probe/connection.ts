// The probe's end of the wire: one TCP connection (or one UDP socket) to the server, with every
// byte each way, FIN and RST drawn as they happen by the same renderer as a failing check's
// transcript. A reconnection is a new lane (`c2`), as in `learn spy`.
//
// A server that closes a connection left idle (lessons 10 on: --idle-timeout) closes it while the
// learner is still typing: its FIN arrives, and the next line, written to a socket the server no
// longer has, would only bring back a reset (EPIPE). So a FIN that comes after a quiet spell is
// said for what it is, our side is closed too, and the next line goes on a new connection.
//
// On an HTTP/2 lesson (or once `.preface` or `.frame` is used) both directions are also read as
// HTTP/2 frames, as `learn spy` reads them (wire/http2-view.ts): each event says the frames it
// carried, with the header blocks decoded, one decoder per direction and per connection.

import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { renderWireEvent } from '../check/render-wire.ts';
import type { WireEvent, WireEventKind } from '../wire/transcript.ts';
import { H2View } from '../wire/http2-view.ts';

/** Bytes that arrive within this long of each other are drawn as one event. */
const GATHER_MS = 15;
/** Pause between the single-byte writes of `.trickle`, so that each is its own segment. */
const TRICKLE_GAP_MS = 5;
/**
 * A FIN after this long with nothing passing either way was sent by a timer of the server's, not
 * in answer to something (a response with `Connection: close` ends within milliseconds of it).
 */
const QUIET_BEFORE_TIMEOUT_MS = 250;

export interface ProbeTarget {
  port: number;
  transport: 'tcp' | 'udp';
  out: (line: string) => void;
  /** The server's program takes --idle-timeout: the probe's note names it. */
  idleTimeoutFlag?: boolean;
  /** The lesson speaks HTTP/2: every connection's bytes are read as frames from the start. */
  http2?: boolean;
}

export class ProbeConnection {
  private socket: net.Socket | undefined;
  private udp: dgram.Socket | undefined;
  private lanes = 0;
  private lane = 'c0';
  private readonly started = performance.now();
  private gathering: { event: WireEvent; bytes: Buffer[]; timer: NodeJS.Timeout } | undefined;
  /** Set while a TCP connection can still deliver something; resolved when it is closed. */
  private closed: Promise<void> = Promise.resolve();
  /** When anything last arrived, for "wait until the replies stop". */
  lastActivity = performance.now();
  /** When bytes last passed either way on this connection: a FIN long after is a timeout's. */
  private lastTraffic = performance.now();
  /** The server closed this connection on a timer; the next send opens a new one. */
  private timedOut = false;
  /** This connection's bytes read as HTTP/2 frames, once it speaks HTTP/2. */
  private h2: H2View | undefined;

  constructor(private readonly target: ProbeTarget) {}

  get transport(): 'tcp' | 'udp' {
    return this.target.transport;
  }

  /** True while the TCP connection is open in at least one direction (or the UDP socket is). */
  get isOpen(): boolean {
    return this.udp ? true : Boolean(this.socket && !this.socket.destroyed);
  }

  /** Connects (TCP) or opens a socket aimed at the server (UDP). Resolves once it can send. */
  async open(): Promise<void> {
    this.lane = `c${++this.lanes}`;
    if (this.target.transport === 'udp') {
      const udp = dgram.createSocket('udp4');
      this.udp = udp;
      udp.on('message', (message) => this.datagram(message));
      // A connected UDP socket hears ICMP "port unreachable" as ECONNREFUSED: nothing listens there.
      udp.on('error', (error: NodeJS.ErrnoException) =>
        this.mark('note', `${error.code ?? error.message}: nothing answers on udp 127.0.0.1:${this.target.port}?`),
      );
      await new Promise<void>((resolve) => udp.connect(this.target.port, '127.0.0.1', resolve));
      this.mark('note', `udp socket aimed at 127.0.0.1:${this.target.port}: each line is one datagram`);
      return;
    }
    const socket = net.connect({ port: this.target.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.setNoDelay(true);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.mark('connect', `connected to 127.0.0.1:${this.target.port}`);
    this.h2 = this.target.http2 ? new H2View() : undefined;
    this.lastTraffic = performance.now();
    this.timedOut = false;
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('end', () => this.serverEnded(socket));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.mark('rst', error.code === 'ECONNRESET' ? 'the server reset the connection (RST)' : `the connection failed: ${error.code ?? error.message}`),
    );
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** From now on this connection is read as HTTP/2; `prefaceNext`: the client preface is what we send next. */
  speakHttp2(prefaceNext: boolean): void {
    this.h2 ??= new H2View(prefaceNext);
  }

  /** Sends bytes: one write (one datagram), or with `trickle` one byte at a time. */
  async send(bytes: Buffer, { trickle = false } = {}): Promise<void> {
    this.flushReceived();
    if (this.timedOut && !(await this.reopen())) return;
    if (!this.canSend()) return;
    this.lastTraffic = performance.now();
    const pieces = trickle ? [...bytes].map((b) => Buffer.from([b])) : [bytes];
    const summary = this.h2?.client.feed(bytes).flatMap((piece) => piece.lines);
    this.draw({
      at: this.now(),
      kind: 'send',
      who: this.lane,
      size: bytes.length,
      pieces: pieces.length,
      datagram: Boolean(this.udp),
      ...preview(bytes),
      ...(summary?.length ? { summary } : {}),
    });
    for (const [i, piece] of pieces.entries()) {
      if (i > 0) await delay(TRICKLE_GAP_MS);
      if (!this.canSend()) return;
      if (this.udp) this.udp.send(piece);
      else this.socket!.write(piece);
    }
  }

  /** Half-close: FIN on our side; the server's side stays open. */
  end(): void {
    if (!this.socket || this.socket.destroyed || this.socket.writableEnded) return this.mark('note', 'nothing to close: the sending side is already closed');
    this.flushReceived();
    this.socket.end();
    this.mark('half-close', 'sent FIN (half-close): the server can still send');
  }

  /** RST: the connection is gone at once, both ways. */
  reset(): void {
    if (!this.socket || this.socket.destroyed) return this.mark('note', 'nothing to reset: no connection is open');
    this.flushReceived();
    this.socket.resetAndDestroy();
    this.mark('reset', 'sent RST (reset)');
  }

  /** Closes what is open and starts again on a new lane. */
  async reconnect(): Promise<void> {
    await this.close();
    await this.open();
  }

  /** Stops: what arrived so far is drawn, the socket is closed. */
  async close(): Promise<void> {
    this.flushReceived();
    if (this.udp) {
      this.udp.close();
      this.udp = undefined;
    }
    if (this.socket && !this.socket.destroyed) this.socket.destroy();
    await this.closed;
    this.socket = undefined;
  }

  /** Resolves when the TCP connection is closed, or after `ms` with nothing arriving (whichever first). */
  async settle(ms: number): Promise<void> {
    for (;;) {
      const quiet = performance.now() - this.lastActivity;
      if (quiet >= ms) break;
      const closed = await Promise.race([this.udp ? new Promise<false>(() => undefined) : this.closed.then(() => true), delay(ms - quiet, false)]);
      if (closed) break;
    }
    this.flushReceived();
  }

  /**
   * The server's FIN. After a quiet spell it is the server's timeout: said so, and our side is
   * closed too, so that the connection ends cleanly and the next line opens a new one.
   */
  private serverEnded(socket: net.Socket): void {
    this.flushReceived();
    for (const piece of this.h2?.server.end() ?? []) for (const line of piece.lines) this.mark('note', line);
    this.mark('fin', 'the server closed its side (FIN)');
    const quietMs = performance.now() - this.lastTraffic;
    if (quietMs < QUIET_BEFORE_TIMEOUT_MS || socket.writableEnded) return;
    this.timedOut = true;
    socket.end();
    const flag = this.target.idleTimeoutFlag ? ', as its --idle-timeout says' : '';
    this.mark(
      'note',
      `the server closed the connection after ${(quietMs / 1000).toFixed(1)} s with nothing sent either way: it times out idle connections${flag}. The next line you send goes on a new connection.`,
    );
  }

  /** A new connection in place of one the server timed out; false (and said why) when none opens. */
  private async reopen(): Promise<boolean> {
    try {
      await this.reconnect();
      return true;
    } catch (error) {
      this.socket = undefined;
      this.timedOut = false;
      this.mark('note', `not sent: no new connection (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is the server still running?`);
      return false;
    }
  }

  private canSend(): boolean {
    if (this.udp) return true;
    if (!this.socket || this.socket.destroyed) return (this.mark('note', 'not sent: the connection is closed (.reconnect opens a new one)'), false);
    if (this.socket.writableEnded) return (this.mark('note', 'not sent: you closed the sending side with .end (.reconnect opens a new one)'), false);
    return true;
  }

  /** TCP bytes arriving: gathered briefly so that one reply is one event, however it was cut. */
  private received(chunk: Buffer): void {
    this.lastActivity = this.lastTraffic = performance.now();
    if (!this.gathering) {
      const event: WireEvent = { at: this.now(), kind: 'recv', who: this.lane, size: 0, pieces: 0 };
      this.gathering = { event, bytes: [], timer: setTimeout(() => this.flushReceived(), GATHER_MS) };
    }
    this.gathering.event.size! += chunk.length;
    this.gathering.event.pieces! += 1;
    this.gathering.bytes.push(chunk);
  }

  private datagram(message: Buffer): void {
    this.lastActivity = performance.now();
    this.draw({ at: this.now(), kind: 'recv', who: this.lane, size: message.length, pieces: 1, datagram: true, ...preview(message) });
  }

  private flushReceived(): void {
    const gathering = this.gathering;
    if (!gathering) return;
    this.gathering = undefined;
    clearTimeout(gathering.timer);
    const bytes = Buffer.concat(gathering.bytes);
    const summary = this.h2?.server.feed(bytes).flatMap((piece) => piece.lines);
    this.draw({ ...gathering.event, ...preview(bytes), ...(summary?.length ? { summary } : {}) });
  }

  private mark(kind: Exclude<WireEventKind, 'send' | 'recv'>, text: string): void {
    this.flushReceived();
    this.lastActivity = performance.now();
    this.draw({ at: this.now(), kind, who: this.lane, text });
  }

  private draw(event: WireEvent): void {
    for (const line of renderWireEvent(event, 2)) this.target.out(line);
  }

  private now(): number {
    return Math.round(performance.now() - this.started);
  }
}

/** The head and tail of bytes as a transcript event carries them (see wire/transcript.ts). */
function preview(bytes: Buffer): Pick<WireEvent, 'head' | 'tail'> {
  return {
    head: bytes.subarray(0, 4096).toString('base64'),
    tail: bytes.length > 4096 ? bytes.subarray(Math.max(4096, bytes.length - 128)).toString('base64') : undefined,
  };
}

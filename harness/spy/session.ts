// A spy session: a TCP listener that relays every connection it accepts to the server under
// test, one lane each (and for HTTP/2 one more per stream), recording and printing what passes. See relay.ts for how the bytes,
// FINs and RSTs are passed on, conversation.ts for what they are taken to mean.

import net from 'node:net';
import { Conversation, type Piece } from './conversation.ts';
import { LivePrinter } from './live.ts';
import { SpyRecord } from './record.ts';
import { relay, type Side } from './relay.ts';

export interface SpyOptions {
  /** Where clients connect: the port the learner uses. */
  listenPort: number;
  /** Where the server under test listens. */
  serverPort: number;
  out: (line: string) => void;
}

export class SpySession {
  readonly record: SpyRecord;
  private readonly live: LivePrinter;
  private readonly listener: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private lanes = 0;
  /** Totals for the last line. */
  readonly totals = { connections: 0, sent: 0, received: 0 };

  constructor(private readonly options: SpyOptions) {
    this.live = new LivePrinter(options.out);
    this.record = new SpyRecord((event) => this.live.event(event));
    // pauseOnConnect: nothing is read from a client before its server connection is up.
    this.listener = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
  }

  /** Resolves once clients can connect; rejects when the port is taken. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(this.options.listenPort, '127.0.0.1', () => {
        this.listener.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening and drops every connection (each side sees its socket close). */
  stop(): void {
    this.listener.close();
    for (const socket of this.sockets) socket.destroy();
    this.record.flush();
    this.live.stop();
  }

  private accept(client: net.Socket): void {
    const lane = `c${++this.lanes}`;
    this.totals.connections++;
    const conversation = new Conversation();
    const server = net.connect({ port: this.options.serverPort, host: '127.0.0.1', allowHalfOpen: true });
    this.track(client);
    this.track(server);
    this.record.mark(lane, 'connect', `connected from ${client.remoteAddress}:${client.remotePort}`);
    const refused = (error: NodeJS.ErrnoException) => {
      this.record.mark(lane, 'note', `spy could not reach the server (${error.code ?? error.message}): is it still running? The client is reset.`);
      client.resetAndDestroy();
    };
    // A client that resets before the server connection is up: drop that connection too.
    const early = () => server.destroy();
    client.once('error', early);
    server.once('error', refused);
    server.once('connect', () => {
      server.off('error', refused);
      client.off('error', early);
      if (client.destroyed) return void server.destroy();
      server.setNoDelay(true);
      client.setNoDelay(true); // what the spy is given it passes on at once; Nagle stays the clients' and the server's business
      relay(client, server, {
        data: (from, chunk) => {
          if (from === 'client') this.totals.sent += chunk.length;
          else this.totals.received += chunk.length;
          // HTTP/2 comes in pieces, one lane per stream (`c1/s3`); stream 0 is the connection's own lane.
          const pieces = readSafely(() => conversation.pieces(from, chunk), chunk);
          const unmasked = conversation.takeUnmasked();
          for (const [i, piece] of pieces.entries()) {
            const on = piece.stream ? `${lane}/s${piece.stream}` : lane;
            if (piece.bytes.length > 0) this.record.data(on, from === 'client' ? 'send' : 'recv', piece.bytes, piece.lines, i === 0 ? unmasked : []);
            else if (piece.lines.length > 0) this.record.mark(on, 'note', piece.lines[0]!, piece.lines.slice(1));
          }
        },
        fin: (from) => this.record.mark(lane, from === 'client' ? 'half-close' : 'fin', `${from} closed its side (FIN)`, conversation.end(from)),
        reset: (from, code) => this.record.mark(lane, from === 'client' ? 'reset' : 'rst', resetText(from, code), conversation.end(from)),
        closed: () => undefined,
      });
      client.resume();
    });
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

function resetText(from: Side, code: string): string {
  const other = from === 'client' ? 'server' : 'client';
  return code === 'ECONNRESET'
    ? `${from} reset the connection (RST), passed on to the ${other}`
    : `${from}'s socket failed (${code}); the ${other} gets a reset (RST)`;
}

/**
 * What the bytes mean, or, should reading them ever fail, the bytes as they are and why: the relay
 * passes them on either way, and a spy that cannot follow a protocol must never stop relaying it.
 */
function readSafely(read: () => Piece[], chunk: Buffer): Piece[] {
  try {
    return read();
  } catch (error) {
    return [{ bytes: chunk, lines: [`spy could not read these bytes (${(error as Error).message}): shown as they are`] }];
  }
}

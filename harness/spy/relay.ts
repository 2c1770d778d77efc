// One connection through the spy: the client's socket and the spy's own socket to the server,
// joined so that each side gets what the other sent, byte for byte, and nothing else.
//
// - Backpressure both ways: when one side's socket cannot take more (write() returns false), the
//   other side's socket is paused until 'drain'. The kernel buffers then fill and TCP flow control
//   slows the sender, so a slow reader slows the writer and the spy holds at most a few buffers.
// - FIN passes as FIN: both sockets allow half-open connections, and the end of one direction is
//   passed on with end() while the other direction keeps flowing (RFC 9293 §3.6).
// - RST passes as RST: a reset seen on one side resets the other with resetAndDestroy(), once the
//   bytes that arrived before it have been handed on.

import type net from 'node:net';

export type Side = 'client' | 'server';

/** What the relay saw, as it saw it. Called before the bytes or the close are passed on. */
export interface RelayObserver {
  data(from: Side, chunk: Buffer): void;
  /** `from` closed its sending side (FIN). */
  fin(from: Side): void;
  /** `from` reset the connection (RST), or failed with `code`. */
  reset(from: Side, code: string): void;
  /** Both sockets are closed. */
  closed(): void;
}

/** Longest wait for queued bytes to go out before a reset is passed on: a peer that never reads must not hold it. */
const FLUSH_BEFORE_RESET_MS = 500;

/** Joins `client` and `server` (both created with allowHalfOpen: true) and reports to `observer`. */
export function relay(client: net.Socket, server: net.Socket, observer: RelayObserver): void {
  let open = 2;
  const onClose = () => {
    if (--open === 0) observer.closed();
  };
  client.once('close', onClose);
  server.once('close', onClose);
  let resetSeen = false;
  const oneWay = (from: net.Socket, to: net.Socket, side: Side) => {
    from.on('data', (chunk: Buffer) => {
      observer.data(side, chunk);
      if (to.destroyed || to.writableEnded) return;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.on('end', () => {
      observer.fin(side);
      if (!to.destroyed) to.end();
    });
    from.on('error', (error: NodeJS.ErrnoException) => {
      // The first failure is the one that happened; the other socket's reset that follows is ours.
      if (resetSeen) return;
      resetSeen = true;
      observer.reset(side, error.code ?? error.message);
      passReset(to);
    });
    // A socket destroyed without an error (ours, by stop()) is not a reset by the peer.
  };
  oneWay(client, server, 'client');
  oneWay(server, client, 'server');
}

/** Resets `socket` after what is queued on it has gone out (or a short wait). */
function passReset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.writableLength === 0) return void socket.resetAndDestroy();
  const timer = setTimeout(() => socket.resetAndDestroy(), FLUSH_BEFORE_RESET_MS);
  socket.once('drain', () => {
    clearTimeout(timer);
    if (!socket.destroyed) socket.resetAndDestroy();
  });
}

// websocket-handshake: where HTTP ends. The connection is served by your keep-alive loop, given a
// hand-over: when a request is answered with 101 Switching Protocols, the loop calls handOver with
// the response and every byte it had read past the request head, and reads no more requests. The
// hand-over writes the 101, gives the socket and those bytes to the new protocol, and returns only
// when that protocol is done with the connection, which is then ended (RFC 9110 §7.8, §15.2.2;
// RFC 6455 §4.2.2).

import type { Conn } from '../02-socket-promises/socket.ts';
import { writeResponse as writeKnownLength, type Response } from '../08-http-response/response.ts';
import { serveConnection as serveKeepAlive, type Application, type ConnectionOptions } from '../10-keep-alive/connection.ts';
import { isUpgrade } from './upgrade.ts';

/** Serves the requests of one connection with keep-alive's loop, until it ends or changes protocol. */
export function serveConnection(conn: Conn, app: Application, options: ConnectionOptions): Promise<void> {
  return serveKeepAlive(conn, app, { ...options, upgrade: handOver });
}

/**
 * Called by keep-alive's loop for a 101, with `start`, the bytes it had read past the request head:
 * a client may send its first frames in the same write as the request.
 */
export async function handOver(conn: Conn, response: Response, start: Buffer): Promise<void> {
  // A 101 that names nobody to take over (not an Upgrade from upgrade.ts) would leave the client
  // speaking a protocol nobody here speaks.
  if (!isUpgrade(response)) throw new Error('A 101 response must say who takes the connection over (an Upgrade, from upgrade.ts).');
  const { socket } = conn;
  // The 101 is a response without a body; its Connection field is its own (Upgrade).
  await writeKnownLength(conn, response);
  // The loop corks the socket when more bytes are buffered (a frame sent right behind the
  // request): the 101 must leave now, before any frame of the new protocol.
  while (socket.writableCorked > 0) socket.uncork();
  // The idle timer was HTTP's; the new protocol keeps its own watch (a chat's pings).
  socket.setTimeout(0);
  await response.takeOver(conn, start);
  // Done: end the connection (a destroyed one is not ended: end() it all the same).
  if (!socket.writableEnded) socket.end();
}

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
  // TODO: the hand-over. Refuse a 101 that is not an Upgrade (isUpgrade: throw an Error). Write
  //       the 101 (writeKnownLength, without options: the 101 has its own Connection field).
  //       Then:
  //       - let it go now: the loop may have corked the socket (uncork while writableCorked > 0);
  //       - stop HTTP's idle timer (socket.setTimeout(0)): the new protocol keeps its own watch;
  //       - give the new protocol the connection and `start`: await response.takeOver(conn,
  //         start), which resolves when that protocol is done;
  //       - then make sure the socket is ended (socket.end() unless writableEnded).
  //       Until then, the 101 goes out like any response, and the loop closes the connection.
  void isUpgrade;
  void start;
  await writeKnownLength(conn, response);
}

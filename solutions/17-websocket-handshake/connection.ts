// websocket-handshake: where HTTP ends. The connection is served by your keep-alive loop, through
// the two hooks it offers a server: how each request's body is opened, and how each response is
// written. The opener notes the connection's reader; the writer, given a 101 (an Upgrade), writes
// it, hands the socket and every byte the reader holds past the request head to the new protocol,
// and returns only when that protocol is done with the connection, which is then ended: the loop
// sees an ended connection and stops reading requests (RFC 9110 §7.8; RFC 6455 §4.2.2).

import type { Conn } from '../02-socket-promises/socket.ts';
import type { BufferedReader } from '../07-http-request-head/reader.ts';
import { writeResponse as writeKnownLength } from '../08-http-response/response.ts';
import type { Router } from '../08-http-response/router.ts';
import { openBody as openLengthBody, type Request } from '../09-http-body/body.ts';
import { serveConnection as serveKeepAlive, type ConnectionOptions, type ResponseWriter } from '../10-keep-alive/connection.ts';
import { isUpgrade } from './upgrade.ts';

/** Serves the requests of one connection with keep-alive's loop, until it ends or changes protocol. */
export function serveConnection(conn: Conn, router: Router<Request>, options: ConnectionOptions): Promise<void> {
  const { openBody = openLengthBody, writeResponse = writeKnownLength } = options;
  // keep-alive reads every request of the connection through one reader, and opens each body with
  // it: that is where the bytes after an upgrade request wait.
  let reader: BufferedReader | undefined;
  const upgradingWriter: ResponseWriter = async (conn, response, writeOptions) => {
    if (!isUpgrade(response) || !reader) return writeResponse(conn, response, writeOptions);
    const { socket } = conn;
    // The 101 is a response without a body; its Connection field is its own (Upgrade).
    await writeKnownLength(conn, response, { ...writeOptions, connection: undefined });
    // The loop corks the socket when more bytes are buffered (a frame sent right behind the
    // request): the 101 must leave now, before any frame of the new protocol.
    while (socket.writableCorked > 0) socket.uncork();
    // The idle timer was HTTP's; the new protocol keeps its own watch (a chat's pings).
    socket.setTimeout(0);
    // What the reader holds past the head is the new protocol's already: a client may send its
    // first frames in the same write as the request.
    const start = Buffer.from(reader.consume(reader.buffer.length));
    await response.takeOver(conn, start);
    // Done. An ended connection is what tells keep-alive's loop to read no more requests (a
    // destroyed one is not ended: end() it all the same).
    if (!socket.writableEnded) socket.end();
  };
  return serveKeepAlive(conn, router, {
    ...options,
    openBody: (head, bodyReader, maxBytes) => {
      reader = bodyReader;
      return openBody(head, bodyReader, maxBytes);
    },
    writeResponse: upgradingWriter,
  });
}

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
    // TODO: the hand-over. Write the 101 (writeKnownLength, with no Connection option of the
    //       loop's: the 101 has its own). Then:
    //       - let it go now: the loop may have corked the socket (uncork while writableCorked > 0);
    //       - stop HTTP's idle timer (socket.setTimeout(0)): the new protocol keeps its own watch;
    //       - give the new protocol the connection and a copy of every byte the reader holds past
    //         the head (consume them): the client may have sent its first frames with the request;
    //         await response.takeOver(conn, start): it resolves when that protocol is done;
    //       - then make sure the socket is ended (socket.end() unless writableEnded): an ended
    //         connection is what makes keep-alive's loop stop reading requests.
    //       Until then, the 101 goes out like any response and the loop goes on reading HTTP.
    return writeResponse(conn, response, writeOptions);
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

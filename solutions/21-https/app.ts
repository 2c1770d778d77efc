// https: the application behind TLS — the whole of lesson 19 (websocket-chat's app.ts: the chat's
// page and its WebSocket, the site with ranges, validators and compression, uploads to /echo, the
// WebSocket echo), on 17's connection loop with 12's chunked bodies. This lesson does not change
// it: TLS wraps a connection and hands the same code a socket. Written for you; it stays as it is.

import type { Conn } from '../02-socket-promises/socket.ts';
import type { Response } from '../08-http-response/response.ts';
import { HTTP11_FRAMING } from '../12-chunked-request/framing.ts';
import { serveConnection } from '../17-websocket-handshake/connection.ts';
import { chatApp, DEFAULT_CHAT, DEFAULT_ROOT } from '../19-websocket-chat/app.ts';

export interface App {
  /** Serves one connection's requests; `decorate` sees every response before it is written. */
  serve(conn: Conn, decorate: (response: Response) => Response): Promise<void>;
  /** Closes the chat's connections with 1001 (going away). */
  shutdown(): Promise<void>;
}

/** The course's server, ready to serve connections from any listener. */
export function courseApp(options: { idleTimeoutMs: number }): App {
  const { app, chat } = chatApp({ root: DEFAULT_ROOT, maxAgeSeconds: 0, log: false, chat: DEFAULT_CHAT });
  return {
    serve: (conn, decorate) =>
      serveConnection(conn, app, {
        idleTimeoutMs: options.idleTimeoutMs,
        // HTTP/1.1's whole framing (chunked-request), each response decorated on its way out.
        framing: {
          openBody: HTTP11_FRAMING.openBody,
          writeResponse: (conn, response, writeOptions) => HTTP11_FRAMING.writeResponse(conn, decorate(response), writeOptions),
        },
      }),
    shutdown: () => chat.shutdown(),
  };
}

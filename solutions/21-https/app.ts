// https: the application behind TLS — the chat as lesson 19 composes it (the chat's
// page, the chat over WebSocket, 17's connection loop), with 12's chunked bodies and one upload
// route. This lesson does not change it: TLS wraps a connection and hands the same code a socket.
// Written for you; it stays as it is.

import type { Conn } from '../02-socket-promises/socket.ts';
import { text, type Response } from '../08-http-response/response.ts';
import { Router } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { HTTP11_FRAMING } from '../12-chunked-request/framing.ts';
import { serveConnection } from '../17-websocket-handshake/connection.ts';
import { websocketRoute } from '../17-websocket-handshake/upgrade.ts';
import { Chat } from '../19-websocket-chat/chat.ts';
import { PAGE_PATHS, page } from '../19-websocket-chat/page.ts';

export interface App {
  /** Serves one connection's requests; `decorate` sees every response before it is written. */
  serve(conn: Conn, decorate: (response: Response) => Response): Promise<void>;
  /** Closes the chat's connections with 1001 (going away). */
  shutdown(): Promise<void>;
}

/** The course's server, ready to serve connections from any listener. */
export function courseApp(options: { idleTimeoutMs: number }): App {
  const chat = new Chat({
    maxMessageBytes: 1024 * 1024,
    maxQueueBytes: 16 * 1024 * 1024,
    closeTimeoutMs: 1000,
    pingIntervalMs: 30_000,
    historySize: 50,
  });
  const router = new Router<Request>();
  for (const path of PAGE_PATHS) router.add('GET', path, () => page(path));
  router.add(
    '*',
    '/chat',
    websocketRoute({ protocols: [] }, (conn, start) => chat.serve(conn, start)),
  );
  // An upload of any framing (Content-Length or chunked): it answers with the byte count.
  router.add(
    'PUT',
    '/upload',
    async ({ body }) => {
      let received = 0;
      for await (const piece of body) received += piece.length;
      return text(200, `received ${received} bytes\n`);
    },
    { maxBodyBytes: 16 * 1024 * 1024 },
  );
  return {
    serve: (conn, decorate) =>
      serveConnection(conn, router, {
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

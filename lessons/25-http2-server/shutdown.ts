// http2-server: every connection the server holds, by protocol, so that a shutdown can end each
// the way its protocol ends gracefully. HTTP/2: GOAWAY with the last stream processed, the
// streams in flight finish, nothing above that id is processed, then the close (RFC 9113 §6.8).
// HTTP/1.1: a connection between requests is closed at once; one in the middle of a request
// answers it, with Connection: close, and then closes (RFC 9112 §9.6). WebSocket members of the
// chat get their close frame 1001 from the chat itself.

import type { Conn } from '../02-socket-promises/socket.ts';
import type { Response } from '../08-http-response/response.ts';
import type { Application, MessageFraming } from '../10-keep-alive/connection.ts';
import { HTTP11_FRAMING } from '../12-chunked-request/framing.ts';
import { serveConnection } from '../17-websocket-handshake/connection.ts';
import { Http2Connection, type Http2Options } from '../24-http2-streams/connection.ts';

/** One HTTP/1.1 connection as a shutdown sees it. */
interface Http1State {
  conn: Conn;
  /** A request has begun and its response is not written yet. */
  busy: boolean;
  /** Answered 101: it is a WebSocket now, and HTTP's shutdown is not its own. */
  upgraded: boolean;
  /** The loop serving it: settles when the connection is over. */
  done: Promise<void>;
}

export class Connections {
  private readonly http2 = new Set<Http2Connection>();
  private readonly http1 = new Set<Http1State>();
  private closing = false;

  /** Serves one HTTP/2 connection (prior knowledge, or h2 agreed by ALPN) until it closes. */
  serveHttp2(socket: ConstructorParameters<typeof Http2Connection>[0], app: Application, options: Http2Options): Promise<void> {
    const connection = new Http2Connection(socket, app, options);
    this.http2.add(connection);
    // Arrived while the server was shutting down: it is told at once, before any stream.
    if (this.closing) void connection.goAway();
    return connection.closed.finally(() => this.http2.delete(connection));
  }

  /**
   * Serves one HTTP/1.1 connection with lesson 17's loop and HTTP/1.1's framing; `decorate` sees
   * each response before it is written (HSTS). Once the shutdown has begun, a response goes out
   * with Connection: close and the connection ends after it.
   */
  serveHttp1(conn: Conn, app: Application, options: { idleTimeoutMs: number; decorate?: (response: Response) => Response }): Promise<void> {
    const state = { conn, busy: false, upgraded: false } as Http1State;
    // The loop calls match() once a request's head has arrived: from then on it is busy.
    const watched: Application = {
      match: (method, target) => {
        state.busy = true;
        const route = app.match(method, target);
        return {
          ...route,
          handler: async (request) => {
            const response = await route.handler(request);
            if (response.status === 101) state.upgraded = true;
            return response;
          },
        };
      },
    };
    const framing: MessageFraming = {
      openBody: HTTP11_FRAMING.openBody,
      writeResponse: async (conn, response, writeOptions) => {
        const decorated = options.decorate ? options.decorate(response) : response;
        // TODO: once the shutdown has begun (this.closing), say Connection: close, and end the
        // connection after the response.
        await HTTP11_FRAMING.writeResponse(conn, decorated, writeOptions);
        state.busy = false;
      },
    };
    state.done = serveConnection(conn, watched, { idleTimeoutMs: options.idleTimeoutMs, framing }).finally(() => this.http1.delete(state));
    this.http1.add(state);
    return state.done;
  }

  /**
   * The graceful shutdown: GOAWAY on every HTTP/2 connection, every HTTP/1.1 connection closed
   * once its current response is out. Resolves when all of them have closed (the upgraded ones
   * excepted: a WebSocket ends by its own closing handshake).
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    // TODO: goAway() on every HTTP/2 connection; end every HTTP/1.1 connection that is neither
    // busy nor upgraded; then wait until all of them have closed (connection.closed, state.done).
  }
}

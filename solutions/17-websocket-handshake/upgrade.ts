// websocket-handshake: how a route hands its connection over to WebSocket. A handler answers an
// upgrade with an `Upgrade`: the 101 response plus what takes the connection over once the 101 is
// out (`takeOver`). The connection loop (connection.ts) writes the 101, hands over the socket and
// the bytes it has already read past the request head, and stops reading HTTP.
// Written for you; it stays as it is.

import type { Conn } from '../02-socket-promises/socket.ts';
import { text, type Response } from '../08-http-response/response.ts';
import type { Request } from '../09-http-body/body.ts';
import { answerHandshake, wantsWebSocket, type HandshakePolicy } from './handshake.ts';

/** A 101 response, and what runs on the connection once it has been written. */
export interface Upgrade extends Response {
  status: 101;
  /**
   * Runs the new protocol on the connection until it ends. `start` is what the client sent after
   * the request head that the HTTP reader had already read: the first bytes of the new protocol.
   */
  takeOver(conn: Conn, start: Buffer): Promise<void>;
}

export function isUpgrade(response: Response): response is Upgrade {
  return response.status === 101 && typeof (response as Partial<Upgrade>).takeOver === 'function';
}

/** What a WebSocket endpoint does with a connection once the handshake is done. */
export type OpenHandler = (conn: Conn, start: Buffer, request: Request & { protocol: string | undefined }) => Promise<void>;

/**
 * A route handler for a WebSocket endpoint: a handshake is answered (answerHandshake) and, when
 * accepted, the connection goes to `open`; a request that does not ask for WebSocket gets 426,
 * which tells it what to ask for (RFC 9110 §15.5.22).
 */
export function websocketRoute(policy: HandshakePolicy, open: OpenHandler) {
  return (request: Request): Response | Upgrade => {
    if (!wantsWebSocket(request.head)) {
      const response = text(426, 'This is a WebSocket endpoint: a handshake asks for "Upgrade: websocket" (wantsWebSocket in handshake.ts decides).\n');
      response.headers!.push(['Upgrade', 'websocket'], ['Connection', 'Upgrade']);
      return response;
    }
    const answer = answerHandshake(request.head, policy);
    if (answer.status !== 101) return answer;
    const protocol = answer.headers?.find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1];
    return { ...answer, status: 101, takeOver: (conn, start) => open(conn, start, { ...request, protocol }) };
  };
}

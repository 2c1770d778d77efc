// websocket-handshake: keep-alive's connection loop, and where HTTP ends. A response that switches
// protocols (101) is the last HTTP on the connection: once it is out, the loop hands the socket,
// and every byte it has read past the request head, to the new protocol, and stops.
//
// The loop is keep-alive's (the reference, so that everyone starts from the same one); what is new
// is the hand-over, marked below.

import type net from 'node:net';
import type { Conn } from '../02-socket-promises/socket.ts';
import { BufferedReader } from '../07-http-request-head/reader.ts';
import { HttpError, readRequestHead, type RequestHead } from '../07-http-request-head/request-head.ts';
import { text, writeResponse, type Response } from '../08-http-response/response.ts';
import type { Router } from '../08-http-response/router.ts';
import { openBody, type BodyReader, type Request } from '../09-http-body/body.ts';
import { wantsKeepAlive, type ConnectionOptions } from '../10-keep-alive/connection.ts';
import { isUpgrade } from './upgrade.ts';

/** Serves the requests of one connection, one after another, until it ends or changes protocol. */
export async function serveConnection(conn: Conn, router: Router<Request>, options: ConnectionOptions): Promise<void> {
  const { socket } = conn;
  // One reader for the whole connection: bytes read past one request are the next one's start.
  const reader = new FlushingReader(conn);
  socket.setTimeout(options.idleTimeoutMs, () => socket.destroy(new Error(`closed after ${options.idleTimeoutMs} ms idle`)));

  for (;;) {
    let head: RequestHead | undefined;
    let body: BodyReader | undefined;
    let keepAlive = false;
    let response: Response;
    try {
      head = await readRequestHead(reader);
      if (head === undefined) break; // the client closed between requests
      keepAlive = wantsKeepAlive(head);
      const route = router.match(head.method, head.target);
      body = openBody(head, reader, route.maxBodyBytes);
      response = await route.handler({ head, body });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      keepAlive = false;
      response = text(error.status, `${error.message}\n`);
    }
    if (reader.buffer.length > 0) socket.cork();
    await writeResponse(conn, response, { headOnly: head?.method === 'HEAD', connection: connectionField(head, keepAlive) });

    // New: the hand-over (RFC 6455 §4.2.2, RFC 9110 §7.8). After a 101, no more HTTP is read.
    if (isUpgrade(response)) {
      // The 101 may be held in the corked socket: it goes first, before any frame.
      flush(socket);
      // The idle timer was HTTP's; the new protocol keeps its own watch (a chat's pings).
      socket.setTimeout(0);
      // What the reader holds past the head is already the new protocol: a client may send its
      // first frame in the same write as the request.
      const start = Buffer.from(reader.consume(reader.buffer.length));
      return response.takeOver(conn, start);
    }

    if (!keepAlive) break;
    if (body && body.remaining > 0) for await (const _ of body);
  }
  flush(socket);
  await conn.end();
}

/** The Connection field of the response: say when we close, and tell HTTP/1.0 when we don't. */
function connectionField(head: RequestHead | undefined, keepAlive: boolean): 'close' | 'keep-alive' | undefined {
  if (!keepAlive) return 'close';
  return head?.version === 'HTTP/1.0' ? 'keep-alive' : undefined;
}

/** A reader that sends every response still held in the socket before it waits for the client. */
class FlushingReader extends BufferedReader {
  override fill(): Promise<boolean> {
    flush(this.conn.socket);
    return super.fill();
  }
}

/** Lets corked writes go: uncork as many times as the socket was corked. */
function flush(socket: net.Socket): void {
  while (socket.writableCorked > 0) socket.uncork();
}

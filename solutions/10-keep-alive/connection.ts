// keep-alive: one connection, many requests. The loop reads a request, answers it, throws away any
// body the handler left unread, and goes round again, until a side closes, a request asks to
// close, or the connection sits idle too long (RFC 9112 §9).

import type net from 'node:net';
import type { Conn } from '../02-socket-promises/socket.ts';
// Your parser (http-request-head), writer and router (http-response), and body reader (http-body).
import { BufferedReader } from '../07-http-request-head/reader.ts';
import { HttpError, fieldValues, readRequestHead, type RequestHead } from '../07-http-request-head/request-head.ts';
import { text, writeResponse as writeKnownLength, type Response, type WriteOptions } from '../08-http-response/response.ts';
import type { Router } from '../08-http-response/router.ts';
import { openBody as openLengthBody, type BodyReader, type Request } from '../09-http-body/body.ts';

export interface ConnectionOptions {
  /** Close the connection after this long with no byte going either way. */
  idleTimeoutMs: number;
  /** Opens each request's body (default: http-body's); chunked-request passes one that reads chunked bodies too. */
  openBody?: typeof openLengthBody;
  /** Writes each response (default: http-response's); chunked-response passes one that streams bodies of unknown length. */
  writeResponse?: ResponseWriter;
}

/** Writes a response; `request` is the head it answers (undefined when none could be read). */
export type ResponseWriter = (conn: Conn, response: Response, options: WriteOptions & { request?: RequestHead }) => Promise<void>;

/** Serves the requests of one connection, one after another, then ends it. */
export async function serveConnection(conn: Conn, router: Router<Request>, options: ConnectionOptions): Promise<void> {
  // The body reader and the response writer of the lessons before, unless the server passes others.
  const { openBody = openLengthBody, writeResponse = writeKnownLength } = options;
  const { socket } = conn;
  // One reader for the whole connection: bytes read past one request are the next one's start.
  const reader = new FlushingReader(conn);
  // Node restarts this timer on every read and write. When it fires, the connection is dropped,
  // and the read waiting for the next request fails with the error given to destroy().
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
      // After a request we could not read, nobody knows where the next one starts: answer, close.
      keepAlive = false;
      response = text(error.status, `${error.message}\n`);
    }
    // Pipelining: when more bytes are already here (the next request, or this one's body), hold
    // the response in the socket (cork). The responses to the requests already here join it, and
    // all leave in one write as soon as the reader has to wait for the client (FlushingReader).
    if (reader.buffer.length > 0) socket.cork();
    await writeResponse(conn, response, { headOnly: head?.method === 'HEAD', connection: connectionField(head, keepAlive), request: head });
    // A writer may have ended the connection itself (a body that the close delimits, chunked-response).
    if (!keepAlive || socket.writableEnded) break;
    // What the handler did not read of the body is still in front of the next request: skip it.
    if (body && body.remaining > 0) for await (const _ of body);
  }
  flush(socket);
  await conn.end();
}

/** Whether the connection stays open after this request (RFC 9112 §9.3). */
export function wantsKeepAlive(head: RequestHead): boolean {
  // Connection is a comma-separated list of options, case-insensitive (RFC 9110 §7.6.1).
  const options = fieldValues(head.headers, 'connection').flatMap((value) => value.split(',').map((option) => option.trim().toLowerCase()));
  if (options.includes('close')) return false;
  // HTTP/1.1 connections persist by default; HTTP/1.0 ones only when the client asked.
  if (head.version === 'HTTP/1.0') return options.includes('keep-alive');
  return true;
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

// keep-alive: one connection, many requests. The loop reads a request, answers it, throws away any
// body the handler left unread, and goes round again, until a side closes, a request asks to
// close, or the connection sits idle too long (RFC 9112 §9). A head must arrive whole within a
// deadline counted from its first byte, however slowly it trickles in.

import type net from 'node:net';
import type { Conn } from '../02-socket-promises/socket.ts';
// Your parser (http-request-head), writer and router (http-response), and body reader (http-body).
import { BufferedReader } from '../07-http-request-head/reader.ts';
import { HttpError, fieldValues, readRequestHead, type RequestHead } from '../07-http-request-head/request-head.ts';
import { text, writeResponse as writeKnownLength, type Response, type WriteOptions } from '../08-http-response/response.ts';
import type { Route } from '../08-http-response/router.ts';
import { openBody as openLengthBody, type BodyReader, type Request } from '../09-http-body/body.ts';

/**
 * The message layer, as the loop is given it: how a request's body is read after its head, and how
 * a response goes on the wire (its framing). The loop reads heads and decides keep-alive; what a
 * body or a response looks like in bytes is decided here, and nowhere in the loop.
 */
export interface MessageFraming {
  /** Opens a request's body from the bytes after its head. */
  openBody(head: RequestHead, reader: BufferedReader, maxBytes?: number): BodyReader;
  /** Writes a response. */
  writeResponse: ResponseWriter;
}

/** Writes a response; `request` is the head it answers (undefined when none could be read). */
export type ResponseWriter = (conn: Conn, response: Response, options: WriteOptions & { request?: RequestHead }) => Promise<void>;

/** The framing of the lessons so far: bodies by Content-Length (http-body), responses of known length (http-response). */
export const LENGTH_FRAMING: MessageFraming = { openBody: openLengthBody, writeResponse: writeKnownLength };

/**
 * What takes a connection over once a request is answered with 101 Switching Protocols: it writes
 * the 101 and speaks the new protocol until it is done. `start` is every byte the loop had read past
 * the request head, the new protocol's first. websocket-handshake writes one.
 */
export type UpgradeHandOver = (conn: Conn, response: Response, start: Buffer) => Promise<void>;

export interface ConnectionOptions {
  /** Close the connection after this long with no byte going either way. */
  idleTimeoutMs: number;
  /** A request's head must be complete this long after its first byte (default: 60 s). */
  headTimeoutMs?: number;
  /** Reads bodies and writes responses (default: LENGTH_FRAMING); the streaming lessons pass HTTP/1.1's whole framing. */
  framing?: MessageFraming;
  /** Takes the connection over after a 101 (websocket-handshake); without one, a 101 is written like any response. */
  upgrade?: UpgradeHandOver;
}

/**
 * The application, as the connection sees it: which route answers a request. A Router is one; the
 * loop never needs more of it, and the application never sees the connection.
 */
export interface Application {
  match(method: string, target: string): Route<Request>;
}

/** node:http gives a head as long (its headersTimeout). */
export const DEFAULT_HEAD_TIMEOUT_MS = 60_000;

/** Serves the requests of one connection, one after another, then ends it. */
export async function serveConnection(conn: Conn, router: Application, options: ConnectionOptions): Promise<void> {
  // The body reader and the response writer of the lessons before, unless the server passes others.
  const { openBody, writeResponse } = options.framing ?? LENGTH_FRAMING;
  const { socket } = conn;
  const headTimeoutMs = options.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS;
  // One reader for the whole connection: bytes read past one request are the next one's start.
  const reader = new ConnectionReader(conn);
  // TODO: the idle timeout: socket.setTimeout(options.idleTimeoutMs, callback) calls back after
  //       that long without a read or a write; destroy the socket there, with an Error that says
  //       why (the read waiting for the next request then fails with it, and the loop ends).
  void options;

  // TODO: make this a loop over the requests of the connection: read one, answer it, and go
  //       round again, until the client closes or a response closes the connection (keepAlive
  //       false: leave the loop). Before going round, skip what the handler left unread of the
  //       body: those bytes stand in front of the next request. Skipping can throw HttpError (a
  //       body cut short, a bad chunk): the response is out already, so leave the loop and close
  //       as after any bad request; a throw out of here would lose the responses still corked.
  let head: RequestHead | undefined;
  let keepAlive = false;
  let response: Response;
  try {
    // TODO: the head deadline. Wait for the first byte of the request first (buffer empty: fill();
    //       false means the client closed: leave the loop). Then set reader.deadline to
    //       performance.now() + headTimeoutMs for the time readRequestHead takes, and set it back
    //       to undefined afterwards, also when it throws (try/finally).
    void headTimeoutMs;
    head = await readRequestHead(reader);
    if (head === undefined) return void (await closeLingering(conn, reader)); // the client closed without a request
    keepAlive = wantsKeepAlive(head);
    const route = router.match(head.method, head.target);
    const body: BodyReader = openBody(head, reader, route.maxBodyBytes);
    response = await route.handler({ head, body });
    // TODO: if the client still waits for 100 Continue (body.waitingForContinue), it may never send
    //       the body the handler did not ask for: close after this response (keepAlive = false).
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    // After a request we could not read, nobody knows where the next one starts: answer, close.
    keepAlive = false;
    response = text(error.status, `${error.message}\n`);
  }
  // Written for you (used from websocket-handshake on; keep it in your loop, before the cork):
  // 101 Switching Protocols ends HTTP on this connection. Whoever takes it over writes the 101 and
  // gets every byte read past the head; the loop reads no more requests (leave it).
  if (response.status === 101 && options.upgrade) return void (await options.upgrade(conn, response, reader.consume(reader.buffer.length)));
  // Pipelining: when more bytes are already here (the next request, or this one's body), hold
  // the response in the socket (cork). The responses to the requests already here join it, and
  // all leave in one write as soon as the reader has to wait for the client (ConnectionReader).
  if (reader.buffer.length > 0) socket.cork();
  await writeResponse(conn, response, { headOnly: head?.method === 'HEAD', connection: connectionField(head, keepAlive), request: head });
  flush(socket);
  await closeLingering(conn, reader);
}

/** Whether the connection stays open after this request (RFC 9112 §9.3). */
export function wantsKeepAlive(head: RequestHead): boolean {
  // TODO: the Connection field is a comma-separated list of options, case-insensitive. "close"
  //       means no. Otherwise HTTP/1.1 keeps the connection open; HTTP/1.0 only when the list
  //       has "keep-alive".
  void fieldValues;
  void head;
  return false;
}

/** The Connection field of the response: say when we close, and tell HTTP/1.0 when we don't. */
function connectionField(head: RequestHead | undefined, keepAlive: boolean): 'close' | 'keep-alive' | undefined {
  if (!keepAlive) return 'close';
  return head?.version === 'HTTP/1.0' ? 'keep-alive' : undefined;
}

/**
 * The connection's reader. Before it waits for the client it sends every response still held in
 * the socket (pipelining). While `deadline` is set (a time from performance.now()), a fill() that
 * would wait past it fails with 408; the read it gave up on is kept, and the next fill() (the
 * lingering close) takes it over, so that a connection never has two reads waiting.
 */
class ConnectionReader extends BufferedReader {
  deadline: number | undefined;
  private filling: Promise<boolean> | undefined;

  override fill(): Promise<boolean> {
    flush(this.conn.socket);
    if (!this.filling) {
      this.filling = super.fill().finally(() => (this.filling = undefined));
      this.filling.catch(() => {}); // whoever awaits it sees the error; nobody may be left to
    }
    return this.deadline === undefined ? this.filling : beforeDeadline(this.filling, this.deadline);
  }
}

/** `promise`, or HttpError 408 once `deadline` has passed. */
function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  return new Promise((resolve, reject) => {
    // RFC 9110 §15.5.9: 408 Request Timeout, "the server did not receive a complete request
    // message within the time that it was prepared to wait".
    const timer = setTimeout(() => reject(new HttpError(408, 'The request head did not arrive in time.')), Math.max(0, deadline - performance.now()));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** How long a closing connection goes on reading what the client still sends. */
const LINGER_MS = 5000;

/**
 * Closes as line-protocol does (a lingering close): FIN once the responses are out, then read and
 * drop whatever the client still sends until it closes too, for at most LINGER_MS. A socket closed
 * while bytes are still arriving answers them with a reset (RFC 1122 §4.2.2.13), and a reset can
 * destroy responses the client has not read yet, such as the last ones of a pipeline.
 */
async function closeLingering(conn: Conn, reader: BufferedReader): Promise<void> {
  await conn.end();
  const timer = setTimeout(() => conn.destroy(), LINGER_MS);
  try {
    while (await reader.fill()) reader.consume(reader.buffer.length);
  } catch {
    // Reset by the client, or closed by the idle timer: there is nothing left to wait for.
  } finally {
    clearTimeout(timer);
  }
}

/** Lets corked writes go: uncork as many times as the socket was corked. */
function flush(socket: net.Socket): void {
  while (socket.writableCorked > 0) socket.uncork();
}

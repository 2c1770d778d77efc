// chunked-response: bodies whose length nobody knows when the head goes out (lines counted as they
// come, a stream being produced), sent with the chunked transfer coding of RFC 9112 §7.1: every
// piece as a chunk that carries its own size, and a chunk of size 0 at the end. Bodies whose length
// is known still go out as http-response writes them, with Content-Length.

import type { Conn } from '../02-socket-promises/socket.ts';
import type { RequestHead } from '../07-http-request-head/request-head.ts';
import {
  httpDate,
  send,
  serializeHead,
  text,
  writeResponse as writeKnownLength,
  type Body,
  type Response,
  type WriteOptions,
} from '../08-http-response/response.ts';

/**
 * A body of unknown length: its pieces, as they are produced. An async generator is one
 * (`async function* () { yield 'a line\n'; }`), and so is every Node Readable.
 */
export type BodySource = AsyncIterable<Uint8Array | string>;

/** What a handler may return from now on: a body of known length, as before, or a source. */
export interface StreamingResponse extends Omit<Response, 'body'> {
  body?: Body | BodySource;
}

export interface StreamingWriteOptions extends WriteOptions {
  /** The request this response answers: its version says whether the client can read chunks. */
  request?: RequestHead;
}

const CRLF = Buffer.from('\r\n');

/** The last chunk (size 0) and an empty trailer section: the body ends here (RFC 9112 §7.1). */
export const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/** Whether the body's length is known before its first byte goes out (a string, bytes, a StreamedBody). */
export function hasKnownLength(body: Body | BodySource): body is Body {
  return typeof body === 'string' || body instanceof Uint8Array || typeof (body as { length?: unknown }).length === 'number';
}

/** The bytes of one chunk: its size in hex, CRLF, the data, CRLF (RFC 9112 §7.1). */
export function encodeChunk(piece: Uint8Array | string): Buffer {
  // TODO: the size line (the data's length in bytes, in hex), the data, and CRLF after it. A
  //       string piece becomes its UTF-8 bytes first: count those, not its characters.
  void CRLF;
  return Buffer.from(piece);
}

/**
 * Writes `response`. A body of known length goes to http-response's writer (Content-Length); a
 * source is sent in chunks to an HTTP/1.1 client, and to an HTTP/1.0 client as bytes that the
 * close of the connection ends.
 */
export async function writeResponse(conn: Conn, response: StreamingResponse, options: StreamingWriteOptions = {}): Promise<void> {
  const { status, body } = response;
  // Its body has a length (or there is none): http-response's writer takes it as it is.
  if (body === undefined || hasKnownLength(body)) return writeKnownLength(conn, response as Response, options);

  // TODO: a body of unknown length. The head has Date (httpDate()) and the handler's headers, and
  //       - for an HTTP/1.1 request: Transfer-Encoding: chunked, and Connection if options say so;
  //         the body then goes out with writeChunkedBody();
  //       - for HTTP/1.0 (options.request?.version), which cannot read chunks: Connection: close;
  //         the body goes out with writeCloseDelimitedBody(), and then the connection ends;
  //       - for HEAD (options.headOnly) and the statuses that never have a body (1xx, 204, 304):
  //         no body at all, and the source is closed unread (source(body).return?.()).
  //       Send the head with send(conn, serializeHead(status, fields)), then leaveNow(conn).
  void [status, httpDate, serializeHead, source, writeChunkedBody, writeCloseDelimitedBody];
  return writeKnownLength(conn, text(501, 'Bodies of unknown length are not written yet (TODO in chunked.ts).\n'), options);
}

/**
 * Sends each piece of `body` as a chunk as soon as the source yields it, then the last chunk. An
 * error from the source leaves the body without its last chunk: the caller closes the connection,
 * and the client knows the body is incomplete.
 */
export async function writeChunkedBody(conn: Conn, body: BodySource): Promise<void> {
  // TODO: for each piece of the source (for await), write its chunk (await send(conn,
  //       encodeChunk(piece)), then leaveNow(conn)), and after the last piece, LAST_CHUNK. Skip
  //       empty pieces. Stop (throw) when the client has gone (conn.socket.destroyed). Let the
  //       source's errors through: the body then stays without its last chunk.
  void [conn, body];
}

/**
 * Sends the pieces of `body` as they are, for a client that reads until the connection closes
 * (HTTP/1.0); the caller then closes. An error from the source resets the connection instead: a
 * plain close would make a broken body look whole.
 */
export async function writeCloseDelimitedBody(conn: Conn, body: BodySource): Promise<void> {
  // TODO: each piece as it is (a string as its UTF-8 bytes), skipping empty ones, as in
  //       writeChunkedBody. If anything fails, reset the connection (conn.socket.resetAndDestroy())
  //       and throw the error on.
  void [conn, body];
}

/** The iterator behind a source. */
function source(body: BodySource): AsyncIterator<Uint8Array | string> {
  return body[Symbol.asyncIterator]();
}

/**
 * Lets what is written leave now. keep-alive's loop corks the socket when more requests are already
 * buffered, so that their responses leave together; a piece of a stream must not wait for them.
 */
function leaveNow(conn: Conn): void {
  while (conn.socket.writableCorked > 0) conn.socket.uncork();
}

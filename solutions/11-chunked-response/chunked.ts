// chunked-response: bodies whose length nobody knows when the head goes out (lines counted as they
// come, a stream being produced), sent with the chunked transfer coding of RFC 9112 §7.1: every
// piece as a chunk that carries its own size, and a chunk of size 0 at the end. Bodies whose length
// is known still go out as http-response writes them, with Content-Length.

import type { Conn } from '../02-socket-promises/socket.ts';
import type { RequestHead } from '../07-http-request-head/request-head.ts';
import { httpDate, send, serializeHead, writeResponse as writeKnownLength, type Body, type Response, type WriteOptions } from '../08-http-response/response.ts';

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
  // The size counts bytes: a string is measured once it is UTF-8, never by its .length.
  const data = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, CRLF]);
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

  // RFC 9110 §6.4.1: 1xx, 204 and 304 responses never have content.
  const bodyless = status < 200 || status === 204 || status === 304;
  // RFC 9112 §7.1: chunked is HTTP/1.1's; an HTTP/1.0 client would take the chunk sizes for data.
  // Without a length and without chunks, only the close can end the body (§6.3, rule 8).
  const closeDelimited = !bodyless && options.request?.version === 'HTTP/1.0';
  const fields: Array<[string, string]> = [['Date', httpDate()], ...(response.headers ?? [])];
  if (!bodyless && !closeDelimited) fields.push(['Transfer-Encoding', 'chunked']);
  if (closeDelimited) fields.push(['Connection', 'close']);
  else if (options.connection) fields.push(['Connection', options.connection]);
  await send(conn, serializeHead(status, fields));
  leaveNow(conn);

  if (bodyless || options.headOnly) {
    // RFC 9110 §9.3.2: HEAD gets GET's head and no body. A source nobody reads is closed, so that
    // whatever it holds (a timer, an open file) is let go of; an unstarted generator never runs.
    await source(body).return?.();
  } else if (closeDelimited) {
    await writeCloseDelimitedBody(conn, body);
  } else {
    await writeChunkedBody(conn, body);
  }
  // We said Connection: close (to HEAD too: its head is GET's), and a close-delimited body is only
  // over once we close.
  if (closeDelimited) await conn.end();
}

/**
 * Sends each piece of `body` as a chunk as soon as the source yields it, then the last chunk. An
 * error from the source leaves the body without its last chunk: the caller closes the connection,
 * and the client knows the body is incomplete.
 */
export async function writeChunkedBody(conn: Conn, body: BodySource): Promise<void> {
  // for await asks for the next piece only once this one is written: while send() waits for
  // 'drain' (a client that reads slowly), the source waits too, and memory stays flat.
  for await (const piece of body) {
    // A chunk of size 0 is the last chunk: written for an empty piece, it would end the body here.
    if (piece.length === 0) continue;
    await send(conn, encodeChunk(piece));
    leaveNow(conn);
    // send() returns at once on a destroyed socket: stop pulling from the source (its finally runs).
    if (conn.socket.destroyed) throw new Error('The client went away in the middle of the body.');
  }
  await send(conn, LAST_CHUNK);
  leaveNow(conn);
}

/**
 * Sends the pieces of `body` as they are, for a client that reads until the connection closes
 * (HTTP/1.0); the caller then closes. An error from the source resets the connection instead: a
 * plain close would make a broken body look whole.
 */
export async function writeCloseDelimitedBody(conn: Conn, body: BodySource): Promise<void> {
  try {
    for await (const piece of body) {
      if (piece.length === 0) continue;
      await send(conn, typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
      leaveNow(conn);
      if (conn.socket.destroyed) throw new Error('The client went away in the middle of the body.');
    }
  } catch (error) {
    conn.socket.resetAndDestroy();
    throw error;
  }
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

// http-response: writing an HTTP/1.1 response: the status line, the header fields, the empty line and
// the body (RFC 9112 §4–§6), with the fields every response needs: Content-Length and Date.

import type { Conn } from '../02-socket-promises/socket.ts';

/**
 * Reason phrases of every status code the course's server sends, from this lesson to the last
 * (RFC 9110 §15; 101 and 426 for WebSocket, RFC 6455 §4.2.2; 308 for https's redirect). One table, complete from the start:
 * later lessons send these statuses without adding to it.
 */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  304: 'Not Modified',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  416: 'Range Not Satisfiable',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

/** A body that arrives in pieces but whose length is known before the first one. */
export interface StreamedBody extends AsyncIterable<Buffer> {
  readonly length: number;
}

export type Body = string | Uint8Array | StreamedBody;

/** What a handler returns. Content-Length and Date are the writer's job, not the handler's. */
export interface Response {
  status: number;
  headers?: Array<[name: string, value: string]>;
  body?: Body;
}

export interface WriteOptions {
  /** Answering HEAD: the same head as for GET, no body (RFC 9110 §9.3.2). */
  headOnly?: boolean;
  /** Sent as the Connection field: `close` when we close after this response. */
  connection?: 'close' | 'keep-alive';
}

/** A text response, UTF-8. */
export function text(status: number, body: string, type = 'text/plain; charset=utf-8'): Response {
  return { status, headers: [['Content-Type', type]], body };
}

/** A JSON response, pretty enough to read in curl. */
export function json(status: number, value: unknown): Response {
  return text(status, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
}

/** The current time as an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7). */
export function httpDate(now = new Date()): string {
  // TODO: format `now` as an IMF-fixdate. (Look at what the Date methods return; one of them
  //       is exactly this format.)
  return now.toISOString();
}

/** The Date of responses sent this second: it only changes once a second, so format it once. */
// Written for you: it calls your httpDate().
let dateSecond = -1;
let dateText = '';
function currentDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = httpDate(new Date(second * 1000));
  }
  return dateText;
}

// RFC 9110 §5.5: CR, LF and NUL are never allowed in a field value (nor in a name).
const CR_LF_OR_NUL = /[\r\n\0]/;

/** The status line, the header fields and the empty line, as the bytes that go on the wire. */
export function serializeHead(status: number, fields: Array<[string, string]>): Buffer {
  // TODO: the status line `HTTP/1.1 <status> <reason phrase>` (the space before the phrase stays
  //       when there is no phrase), then one `Name: value` line per field, then an empty line;
  //       every line ends with CRLF. Refuse (throw) a name or value that contains CR, LF or NUL
  //       (CR_LF_OR_NUL). Return it as a Buffer in latin1: one byte a character, so bytes above
  //       0x7f in a value go out as they came in.
  void fields;
  void CR_LF_OR_NUL;
  return Buffer.from(`HTTP/1.1 ${status} \r\n\r\n`, 'latin1');
}

/** Writes `response` on the connection: the whole head in one write, then the body. */
export async function writeResponse(conn: Conn, response: Response, options: WriteOptions = {}): Promise<void> {
  // TODO: the fields: Date (currentDate()), the handler's headers, Content-Length (the body's
  //       length in BYTES; none for 1xx, 204 and 304, which have no body), and Connection when
  //       options.connection says so. Then, with send():
  //       - answering HEAD (options.headOnly), or a status without a body: the head only;
  //       - a string or Uint8Array body: head and body together, in ONE write;
  //       - a StreamedBody: the head, then writeStreamedBody(conn, body, body.length).
  void response;
  void options;
  await send(conn, NOT_WRITTEN_YET);
}

/** What the stub answers until writeResponse is written. */
const NOT_WRITTEN_YET = (() => {
  const body = 'writeResponse is not written yet (TODO in response.ts).\n';
  return Buffer.from(`HTTP/1.1 501 Not Implemented\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`, 'latin1');
})();

// Written for you, like writeStreamedBody below.
/**
 * Writes bytes to the socket, and waits only if Node's buffer for it is full: write() returns
 * false past the socket's high-water mark, and 'drain' says when it has emptied (backpressure).
 * Conn.write() from lesson 2 would wait for every write to be flushed, a turn of the event loop
 * per response; and this way the connection loop can collect responses before they go out.
 */
export async function send(conn: Conn, bytes: Uint8Array): Promise<void> {
  const { socket } = conn;
  // A destroyed socket takes no bytes, and would never emit 'drain'.
  if (socket.write(bytes) || socket.destroyed) return;
  // Corked writes (keep-alive collects pipelined responses that way) wait for uncork(): let them
  // go, or 'drain' would never come.
  while (socket.writableCorked > 0) socket.uncork();
  // 'drain' once the buffer has emptied. If the socket goes away first (a reset, a timeout, a
  // destroy()), no 'drain' ever comes: fail, so that whoever is sending (a file, a stream) stops.
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      if (socket.destroyed) reject(new Error('The connection closed while bytes waited to be sent.'));
      else resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Copies a streamed body to the connection, one piece at a time; it must be exactly `length` bytes. */
// Written for you: http-body streams request bodies back through it.
export async function writeStreamedBody(conn: Conn, body: StreamedBody, length: number): Promise<void> {
  let sent = 0;
  for await (const piece of body) {
    sent += piece.length;
    if (sent > length) throw new Error(`The body is longer than the ${length} bytes its Content-Length promised.`);
    await send(conn, piece); // waiting when the socket's buffer is full keeps memory flat
  }
  // A short body would leave the client waiting for bytes that never come; the caller closes.
  if (sent < length) throw new Error(`The body ended after ${sent} of the ${length} bytes its Content-Length promised.`);
}

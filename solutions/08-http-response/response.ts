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
  // toUTCString() produces exactly this format: English day and month names, GMT.
  return now.toUTCString();
}

/** The Date of responses sent this second: it only changes once a second, so format it once. */
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
  // RFC 9112 §4: HTTP-version SP status-code SP [ reason-phrase ] CRLF: the second space stays
  // when the phrase is empty.
  let head = `HTTP/1.1 ${status} ${REASON_PHRASES[status] ?? ''}\r\n`;
  for (const [name, value] of fields) {
    // A CR or LF inside a field would end the line early, and let whoever chose the value write
    // header fields of their own (response splitting); a NUL ends the line early for some parsers.
    if (CR_LF_OR_NUL.test(name) || CR_LF_OR_NUL.test(value)) throw new Error(`The header field ${JSON.stringify(name)} contains CR, LF or NUL.`);
    head += `${name}: ${value}\r\n`;
  }
  // latin1: one byte per character, so a value's bytes above 0x7f (obs-text) go out as they came in.
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/** Writes `response` on the connection: the whole head in one write, then the body. */
export async function writeResponse(conn: Conn, response: Response, options: WriteOptions = {}): Promise<void> {
  const { status, body = '' } = response;
  // RFC 9110 §6.4.1: 1xx, 204 and 304 responses never have content.
  const bodyless = status < 200 || status === 204 || status === 304;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body instanceof Uint8Array ? body : undefined;
  // Content-Length counts bytes: "é" is one character and two bytes in UTF-8.
  const length = bytes ? bytes.length : (body as StreamedBody).length;

  const fields: Array<[string, string]> = [['Date', currentDate()], ...(response.headers ?? [])];
  if (!bodyless) fields.push(['Content-Length', String(length)]);
  if (options.connection) fields.push(['Connection', options.connection]);
  const head = serializeHead(status, fields);

  if (bodyless || options.headOnly) {
    await send(conn, head);
  } else if (bytes) {
    // One write for head and body: every write can become a packet of its own, and with Nagle's
    // algorithm a small second packet waits for the client's ACK of the first.
    await send(conn, Buffer.concat([head, bytes]));
  } else {
    await send(conn, head);
    await writeStreamedBody(conn, body as StreamedBody, length);
  }
}

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

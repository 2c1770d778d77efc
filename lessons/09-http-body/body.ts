// http-body: the request body. How long it is comes from the header fields alone, whatever the
// method (RFC 9112 §6.3); the bytes themselves are read piece by piece, as the handler asks for
// them, starting with any that arrived together with the head. A client that asked to hear
// "100 Continue" first gets it with the first read, and only then.

import type { BufferedReader } from '../07-http-request-head/reader.ts';
import { HttpError, fieldValues, type RequestHead } from '../07-http-request-head/request-head.ts';
import { send } from '../08-http-response/response.ts';

/** A request as handlers see it from now on: the head, and a reader for the body. */
export interface Request {
  head: RequestHead;
  body: BodyReader;
}

/** The largest body a route accepts when it does not say otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The length of the request's body, from its header fields. 0 when it has none. */
export function bodyLength(head: RequestHead): number {
  // TODO: by the rules of RFC 9112 §6.3, from the fields only (never from the method):
  //       - any Transfer-Encoding field: throw new HttpError(501, …) (chunked is the next part);
  //       - no Content-Length: 0;
  //       - every Content-Length value (fields may repeat, and a value may be a list "5, 5") must
  //         be digits only once the spaces and tabs around it are gone (no sign, no point, no
  //         spaces inside, and nothing else trimmed), small enough to be a safe integer, and all
  //         of them equal; otherwise throw new HttpError(400, …).
  void fieldValues;
  throw new HttpError(501, 'bodyLength is not written yet (TODO in body.ts).');
}

/** Checks the body's length against the route's limit, and returns a reader for the body. */
export function openBody(head: RequestHead, reader: BufferedReader, maxBytes = DEFAULT_MAX_BODY_BYTES): BodyReader {
  // TODO: the length from bodyLength(head); over maxBytes: throw new HttpError(413, …) before
  //       reading any of it. Then return a BodyReader for that many bytes, telling it whether
  //       the client expects 100 Continue (expectsContinue(head)).
  void maxBytes;
  return new BodyReader(reader, bodyLength(head));
}

/** Whether the client waits for "100 Continue" before it sends the body (RFC 9110 §10.1.1). */
export function expectsContinue(head: RequestHead): boolean {
  // TODO: true when an Expect field lists "100-continue" (a comma-separated list; compare
  //       case-insensitively), except in an HTTP/1.0 request, where it MUST be ignored.
  void head;
  return false;
}

/** The interim response that tells a waiting client to send its body (RFC 9110 §15.2.1). */
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/**
 * A body of known length, read on demand: `await body.read()` for the next piece, or
 * `for await (const piece of body)`. It is a StreamedBody too, so a response can send it on.
 */
export class BodyReader implements AsyncIterable<Buffer> {
  private left: number;
  /** The client holds the body back until it hears "100 Continue", and has not heard it yet. */
  private continueOwed: boolean;

  constructor(
    private readonly reader: BufferedReader,
    readonly length: number,
    options: { expectContinue?: boolean } = {},
  ) {
    this.left = length;
    this.continueOwed = options.expectContinue === true;
  }

  /** Bytes of the body not read yet. */
  get remaining(): number {
    return this.left;
  }

  /**
   * Whether the client still holds the body back, waiting for a "100 Continue" no read has sent:
   * then the body may never come, and a server that answered without reading it must close.
   */
  get waitingForContinue(): boolean {
    return this.continueOwed && this.left > 0;
  }

  /** The next piece of the body: what is buffered first, then from the connection. Empty at its end. */
  async read(): Promise<Buffer> {
    // TODO: nothing left: an empty Buffer. If the client waits for 100 Continue (continueOwed),
    //       send CONTINUE first, once: await send(this.reader.conn, CONTINUE). Then, if
    //       this.reader.buffer is empty, fill() it (EOF there means the client left mid-body:
    //       throw new HttpError(400, …)). Then consume what is buffered, but never more than
    //       this.left, count it off, and return it.
    void send;
    void CONTINUE;
    return Buffer.alloc(0);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let piece = await this.read(); piece.length > 0; piece = await this.read()) yield piece;
  }
}

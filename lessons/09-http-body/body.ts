// http-body: the request body. How long it is comes from the header fields alone, whatever the
// method (RFC 9112 §6.3); the bytes themselves are read piece by piece, as the handler asks for
// them, starting with any that arrived together with the head.

import type { BufferedReader } from '../07-http-request-head/reader.ts';
import { HttpError, fieldValues, type RequestHead } from '../07-http-request-head/request-head.ts';

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
  //         be digits only (no sign, no point, no spaces inside), small enough to be a safe
  //         integer, and all of them equal; otherwise throw new HttpError(400, …).
  void fieldValues;
  throw new HttpError(501, 'bodyLength is not written yet (TODO in body.ts).');
}

/** Checks the body's length against the route's limit, and returns a reader for the body. */
export function openBody(head: RequestHead, reader: BufferedReader, maxBytes = DEFAULT_MAX_BODY_BYTES): BodyReader {
  // TODO: the length from bodyLength(head); over maxBytes: throw new HttpError(413, …) before
  //       reading any of it. Then return a BodyReader for that many bytes.
  void maxBytes;
  return new BodyReader(reader, bodyLength(head));
}

/**
 * A body of known length, read on demand: `await body.read()` for the next piece, or
 * `for await (const piece of body)`. It is a StreamedBody too, so a response can send it on.
 */
export class BodyReader implements AsyncIterable<Buffer> {
  private left: number;

  constructor(
    private readonly reader: BufferedReader,
    readonly length: number,
  ) {
    this.left = length;
  }

  /** Bytes of the body not read yet. */
  get remaining(): number {
    return this.left;
  }

  /** The next piece of the body: what is buffered first, then from the connection. Empty at its end. */
  async read(): Promise<Buffer> {
    // TODO: nothing left: an empty Buffer. Otherwise, if this.reader.buffer is empty, fill() it
    //       (EOF there means the client left mid-body: throw new HttpError(400, …)). Then consume
    //       what is buffered, but never more than this.left, count it off, and return it.
    return Buffer.alloc(0);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let piece = await this.read(); piece.length > 0; piece = await this.read()) yield piece;
  }
}

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
  // §6.3 rules 3–4: Transfer-Encoding decides the length when present. Chunked coding is the
  // next part's subject; until then, such a body cannot be read, so its end cannot be found.
  if (fieldValues(head.headers, 'transfer-encoding').length > 0) {
    throw new HttpError(501, 'This server does not read Transfer-Encoding yet.');
  }
  // RFC 9110 §8.6: Content-Length = 1*DIGIT. Repeated fields and lists ("5, 5") must all agree.
  const values = fieldValues(head.headers, 'content-length').flatMap((value) => value.split(','));
  // §6.3 rule 7: a request with neither field has no body.
  if (values.length === 0) return 0;
  const lengths = values.map((value) => {
    const digits = value.trim();
    if (!/^\d+$/.test(digits)) throw new HttpError(400, `Content-Length must be a decimal number; received ${JSON.stringify(value)}.`);
    // Past 2^53 a JS number can no longer count every byte: refuse rather than round.
    const length = Number(digits);
    if (!Number.isSafeInteger(length)) throw new HttpError(400, `Content-Length ${digits} is too large to be read exactly.`);
    return length;
  });
  // §6.3 rule 5: an invalid Content-Length is an unrecoverable framing error: 400, then close.
  if (lengths.some((length) => length !== lengths[0])) throw new HttpError(400, `Content-Length has differing values: ${values.join(', ')}.`);
  return lengths[0]!;
}

/** Checks the body's length against the route's limit, and returns a reader for the body. */
export function openBody(head: RequestHead, reader: BufferedReader, maxBytes = DEFAULT_MAX_BODY_BYTES): BodyReader {
  const length = bodyLength(head);
  // Refuse before reading a byte of it: a client must not make us take in more than we allow.
  if (length > maxBytes) throw new HttpError(413, `The body is ${length} bytes; this route takes at most ${maxBytes}.`);
  return new BodyReader(reader, length);
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
    if (this.left === 0) return Buffer.alloc(0);
    if (this.reader.buffer.length === 0 && !(await this.reader.fill())) {
      throw new HttpError(400, `The connection ended ${this.left} bytes before the end of the body.`);
    }
    // Never more than the body: what follows it belongs to the next request.
    const piece = this.reader.consume(Math.min(this.left, this.reader.buffer.length));
    this.left -= piece.length;
    return piece;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let piece = await this.read(); piece.length > 0; piece = await this.read()) yield piece;
  }
}

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
    // The spaces around a list element are optional whitespace: spaces and tabs, nothing else
    // (String.trim() would also take a no-break space, byte 0xa0, and let "5\xa0" through).
    const digits = value.replace(/^[ \t]+|[ \t]+$/g, '');
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
  return new BodyReader(reader, length, { expectContinue: expectsContinue(head) });
}

/** Whether the client waits for "100 Continue" before it sends the body (RFC 9110 §10.1.1). */
export function expectsContinue(head: RequestHead): boolean {
  // An HTTP/1.0 client knows nothing of 100 Continue: a server MUST ignore the expectation.
  if (head.version === 'HTTP/1.0') return false;
  // Expect is a list, and its values are case-insensitive: "100-continue", "100-Continue".
  return fieldValues(head.headers, 'expect').some((value) => value.split(',').some((item) => item.trim().toLowerCase() === '100-continue'));
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
    if (this.left === 0) return Buffer.alloc(0);
    // RFC 9110 §10.1.1: the first read is when the server decides it wants the body, so that is
    // when it says so. A response decided from the head alone (404, 413) never reads, and never
    // invites a body it will not read.
    if (this.continueOwed) {
      this.continueOwed = false;
      await send(this.reader.conn, CONTINUE);
    }
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

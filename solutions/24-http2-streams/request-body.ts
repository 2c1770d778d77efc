// http2-streams: a request's body, as the stream's DATA frames bring it. The application reads it
// the way it reads an HTTP/1.1 body (http-body's BodyReader: read(), remaining, for await), and
// never sees a frame. What it has read is what the connection gives back to the client as window
// (WINDOW_UPDATE, RFC 9113 §6.9): a handler that reads slowly slows the upload down, and a stream
// never holds more unread data than its window. Written for you; it stays as it is.

import { HttpError, type HeaderField } from '../07-http-request-head/request-head.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../09-http-body/body.ts';

export class RequestBody implements AsyncIterable<Buffer> {
  /** The trailer fields, once the body has ended with a HEADERS frame (§8.1). */
  readonly trailers: HeaderField[] = [];
  private readonly pieces: Buffer[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** Octets handed to the application so far, for the route's limit. */
  private taken = 0;
  maxBytes = DEFAULT_MAX_BODY_BYTES;

  /** @param consumed called with the size of each piece the application takes: the window it frees. */
  constructor(private readonly consumed: (octets: number) => void) {}

  /** Bytes of the body not read yet: unknown (Infinity) until the stream's END_STREAM, then what waits. */
  get remaining(): number {
    return this.ended ? this.pieces.reduce((sum, piece) => sum + piece.length, 0) : Infinity;
  }

  /** HTTP/2 sends no 100 Continue here: a client never holds its body back for one. */
  get waitingForContinue(): boolean {
    return false;
  }

  /** A DATA frame's data arrived. */
  push(data: Buffer): void {
    if (data.length === 0) return;
    this.pieces.push(data);
    this.wake?.();
  }

  /** END_STREAM: the body is complete. */
  end(trailers: HeaderField[] = []): void {
    this.trailers.push(...trailers);
    this.ended = true;
    this.wake?.();
  }

  /** The stream was reset or the connection lost: a read in progress, and every later one, throws. */
  fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  /** Throws away what nobody will read (the response is complete), and returns how much that was. */
  discard(): number {
    const octets = this.pieces.reduce((sum, piece) => sum + piece.length, 0);
    this.pieces.length = 0;
    return octets;
  }

  /** The next piece of the body, as it arrived; empty at its end. */
  async read(): Promise<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      const piece = this.pieces.shift();
      if (piece) {
        this.taken += piece.length;
        this.consumed(piece.length);
        // The same limit as an HTTP/1.1 chunked body of unknown length: counted as it comes.
        if (this.taken > this.maxBytes) throw new HttpError(413, `The body is over ${this.maxBytes} bytes, the most this route takes.`);
        return piece;
      }
      if (this.ended) return Buffer.alloc(0);
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let piece = await this.read(); piece.length > 0; piece = await this.read()) yield piece;
  }
}

/**
 * A body whose length the request announced (content-length): it has a `length`, as http-body's
 * BodyReader does, so the application can answer with a body of known length (the echo does).
 */
export class SizedRequestBody extends RequestBody {
  constructor(
    consumed: (octets: number) => void,
    readonly length: number,
  ) {
    super(consumed);
  }
}

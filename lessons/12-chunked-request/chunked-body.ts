// chunked-request: request bodies in chunks (RFC 9112 §7.1), read beside the Content-Length bodies
// of http-body. Which framing a request uses comes from its header fields alone (§6.1, §6.3), and
// every doubt about it is a 400: two servers that frame one request differently are how requests
// get smuggled. The data is handed on as it arrives, never a whole chunk at a time.

import type { BufferedReader } from '../07-http-request-head/reader.ts';
import { HttpError, MAX_HEAD_BYTES, TOKEN, fieldValues, parseFieldLine, type HeaderField, type RequestHead } from '../07-http-request-head/request-head.ts';
import { send } from '../08-http-response/response.ts';
import { DEFAULT_MAX_BODY_BYTES, openBody as openLengthBody, type BodyReader } from '../09-http-body/body.ts';

/** A request body: framed by Content-Length (http-body) or by chunks (this lesson). */
export type RequestBody = BodyReader | ChunkedBodyReader;

/** A request as handlers see it from now on. */
export interface Request {
  head: RequestHead;
  body: RequestBody;
}

/** The longest chunk-size line we read, extensions included (RFC 9112 §7.1.1 asks for a limit). */
export const MAX_CHUNK_LINE_BYTES = 4096;

// OWS around a list element: spaces and tabs, and nothing else (RFC 9110 §5.6.3).
const OWS_AROUND = /^[ \t]+|[ \t]+$/g;

/**
 * Whether the request's body is chunked, from its header fields (RFC 9112 §6.1, §6.3). Throws
 * HttpError 400 for framing that cannot be trusted, 501 for a transfer coding we do not implement.
 */
export function isChunked(head: RequestHead): boolean {
  const values = fieldValues(head.headers, 'transfer-encoding');
  if (values.length === 0) return false;
  // TODO: decide, in this order (RFC 9112 §6.1, §6.3, §7):
  //       - Transfer-Encoding in an HTTP/1.0 request: HttpError 400;
  //       - Transfer-Encoding together with Content-Length: HttpError 400 (request smuggling);
  //       - the codings: every Transfer-Encoding value split at commas, trimmed of spaces and
  //         tabs only (OWS_AROUND; trim() would strip a no-break space too), lower-cased, empty
  //         ones dropped. Check the whole list before refusing anything as unknown: each coding's
  //         name (before any ";") is a TOKEN (else 400); the last must be exactly "chunked" (else
  //         400); "chunked" anywhere before it is a 400; then any other coding is one we do not
  //         implement: 501.
  //       Then return true.
  void [TOKEN, OWS_AROUND];
  throw new HttpError(501, 'Chunked request bodies are not read yet (TODO in chunked-body.ts).');
}

/** Opens the body: chunked (this lesson), or by Content-Length (http-body). */
export function openBody(head: RequestHead, reader: BufferedReader, maxBytes = DEFAULT_MAX_BODY_BYTES): RequestBody {
  if (isChunked(head)) return new ChunkedBodyReader(reader, maxBytes, expectsContinue(head));
  return openLengthBody(head, reader, maxBytes);
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), a name being a token
// and a value a token or a quoted-string (RFC 9112 §7.1.1; RFC 9110 §5.6.4).
const TOKEN_RUN = TOKEN.source.slice(1, -1); // http-request-head's token, without its ^ and $
const QUOTED_STRING = String.raw`"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"`;
const CHUNK_EXT = new RegExp(String.raw`^(?:[ \t]*;[ \t]*${TOKEN_RUN}(?:[ \t]*=[ \t]*(?:${TOKEN_RUN}|${QUOTED_STRING}))?)*$`);

/**
 * The size of a chunk from its size line (without the CRLF): hex digits, then extensions, which are
 * checked and ignored. Throws HttpError 400 for anything else.
 */
export function parseChunkSize(line: string): number {
  // TODO: the line starts with one or more hex digits (no sign, no "0x", no spaces before them):
  //       at most 16 of them, and a value that Number.isSafeInteger() accepts. What follows them
  //       must match CHUNK_EXT (extensions, possibly none). Anything else: HttpError 400.
  void CHUNK_EXT;
  return Number.parseInt(line, 16);
}

/**
 * A chunked request body, read on demand like http-body's BodyReader: `await body.read()` for the
 * next piece of data, or `for await (const piece of body)`. It has no `length`: nobody knows it
 * until the last chunk, so a response that sends it on goes out in chunks too.
 */
export class ChunkedBodyReader implements AsyncIterable<Buffer> {
  /** The trailer fields, once the body has been read to its end (RFC 9112 §7.1.2). */
  readonly trailers: HeaderField[] = [];
  /** What comes next on the wire. */
  private state: 'size' | 'data' | 'data-end' | 'done' = 'size';
  /** Bytes of the current chunk's data not read yet. */
  private left = 0;
  /** Bytes of data announced so far, for the route's limit. */
  private announced = 0;

  constructor(
    private readonly reader: BufferedReader,
    readonly maxBytes = DEFAULT_MAX_BODY_BYTES,
    /** The client holds the body back until it hears "100 Continue", and has not heard it yet. */
    private continueOwed = false,
  ) {}

  /** Bytes of the body not read yet: unknown (Infinity) until the last chunk, then 0. */
  get remaining(): number {
    return this.state === 'done' ? 0 : Infinity;
  }

  /** Whether the client still waits for a "100 Continue" no read has sent: the body may never come. */
  get waitingForContinue(): boolean {
    return this.continueOwed && this.state !== 'done';
  }

  /** The next piece of data, as it arrives (never more than one chunk's); empty at the end of the body. */
  async read(): Promise<Buffer> {
    await this.continueIfAsked();
    // TODO: a loop over this.state:
    //       - 'size': the size line (await this.readLine(MAX_CHUNK_LINE_BYTES, 'a chunk-size line'))
    //         through parseChunkSize(). Size 0: read the trailers, and the body is 'done'. Otherwise
    //         add it to this.announced, and over this.maxBytes throw HttpError 413; then 'data'.
    //       - 'data': if nothing is buffered, this.fill(…) first; then consume what is buffered, up
    //         to this.left, count it off, and return it ('data-end' once this.left is 0).
    //       - 'data-end': wait until 2 bytes are buffered; they must be CR LF (else 400); consume
    //         exactly those two, and go back to 'size'.
    //       - 'done': return an empty Buffer.
    void [this.left, this.announced, this.maxBytes];
    this.state = 'done';
    return Buffer.alloc(0);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let piece = await this.read(); piece.length > 0; piece = await this.read()) yield piece;
  }

  /** The trailer section after the last chunk: field lines, then an empty line (§7.1.2). */
  private async readTrailers(): Promise<void> {
    // TODO: lines (this.readLine(…)) until an empty one. Each other line is a field:
    //       this.trailers.push(parseFieldLine(line)), the parser of header field lines you wrote
    //       in http-request-head: trailer fields have the same grammar (RFC 9112 §7.1.2). The whole
    //       section, CRLFs included, may take at most MAX_HEAD_BYTES: pass readLine what is left
    //       of that budget (431 past it).
    void [MAX_HEAD_BYTES, parseFieldLine];
  }

  /**
   * One line, without its CRLF. Bytes are consumed only once the whole line is here, so nothing of
   * what follows it is lost. A bare LF or CR is refused, as in the head (http-request-head).
   */
  private async readLine(max: number, what: string, tooLong = 400): Promise<string> {
    for (let from = 0; ;) {
      const buffer = this.reader.buffer;
      // The CR of a line of `max` bytes is at index max: no need to look further.
      const end = Math.min(buffer.length, max + 1);
      let cr = from;
      while (cr < end && buffer[cr] !== 0x0d) {
        if (buffer[cr] === 0x0a) throw new HttpError(400, `A bare LF in ${what}; lines end with CRLF.`);
        cr++;
      }
      if (cr < end && cr + 1 < buffer.length) {
        if (buffer[cr + 1] !== 0x0a) throw new HttpError(400, `A CR without LF in ${what}.`);
        return this.reader
          .consume(cr + 2)
          .subarray(0, cr)
          .toString('latin1');
      }
      if (cr === end && buffer.length > max) throw new HttpError(tooLong, `${what[0]!.toUpperCase()}${what.slice(1)} is longer than ${max} bytes.`);
      from = cr; // a CR waits here for its LF; otherwise, go on from the first byte not looked at
      await this.fill(`in ${what}`);
    }
  }

  /** Reads more from the connection; at EOF the body is incomplete, which is a 400. */
  private async fill(where: string): Promise<void> {
    if (!(await this.reader.fill())) throw new HttpError(400, `The connection ended ${where}, before the end of the chunked body.`);
  }

  /**
   * RFC 9110 §10.1.1: a client that sent `Expect: 100-continue` waits for `100 Continue` before it
   * sends the body. The first read is when the server decides it wants the body, so that is when
   * it says so (as http-body's reader does); a response decided from the head alone never invites
   * a body nobody will read.
   */
  private async continueIfAsked(): Promise<void> {
    if (!this.continueOwed) return;
    this.continueOwed = false;
    await send(this.reader.conn, CONTINUE);
  }
}

const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n');

/** Whether the client waits for 100 Continue before sending the body (RFC 9110 §10.1.1; not for HTTP/1.0). */
function expectsContinue(head: RequestHead): boolean {
  return head.version !== 'HTTP/1.0' && fieldValues(head.headers, 'expect').some((value) => value.toLowerCase() === '100-continue');
}

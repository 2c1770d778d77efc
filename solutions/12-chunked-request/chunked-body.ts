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
  // §6.1: Transfer-Encoding is HTTP/1.1's. In an HTTP/1.0 request the framing is faulty, whatever
  // else it says: a 1.0 proxy in front of us may have framed it differently.
  if (head.version === 'HTTP/1.0') throw new HttpError(400, 'Transfer-Encoding is not part of HTTP/1.0.');
  // §6.1 allows rejecting this outright, and we do: a front end that trusts Content-Length and a
  // back end that trusts the chunks would each see a different next request (request smuggling).
  if (fieldValues(head.headers, 'content-length').length > 0) throw new HttpError(400, 'A request may not have both Transfer-Encoding and Content-Length.');
  // The codings are a comma-separated list across every Transfer-Encoding field, case-insensitive
  // (§7), and empty elements are ignored (RFC 9110 §5.6.1). Only spaces and tabs surround an
  // element: trim() would also strip U+00A0 (the byte 0xa0 here), and read "chunked\xa0" as chunked.
  const codings = values
    .flatMap((value) => value.split(','))
    .map((coding) => coding.replace(OWS_AROUND, '').toLowerCase())
    .filter((coding) => coding !== '');
  // The whole list is checked before any coding is refused as unknown: a list that cannot be
  // framed is a 400, whatever else it holds. A coding is a token, with parameters after ";"
  // (RFC 9110 §10.1.4).
  for (const coding of codings) {
    if (!TOKEN.test(coding.split(';')[0]!.replace(OWS_AROUND, ''))) throw new HttpError(400, `${JSON.stringify(coding)} is not a transfer coding.`);
  }
  // §6.3 rule 4: if chunked is not the last coding, the end of the body cannot be found: 400.
  if (codings.at(-1) !== 'chunked') throw new HttpError(400, `The last transfer coding must be chunked; received ${JSON.stringify(values.join(', '))}.`);
  // §7: chunked is applied once, and last.
  if (codings.indexOf('chunked') < codings.length - 1) throw new HttpError(400, 'The chunked transfer coding is applied more than once.');
  // §6.1: a coding we do not understand is a 501 (gzip and friends are not implemented here).
  if (codings.length > 1) throw new HttpError(501, `This server does not implement the transfer coding ${JSON.stringify(codings[0])}.`);
  return true;
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
  const match = /^([0-9A-Fa-f]+)(.*)$/s.exec(line);
  if (!match) throw new HttpError(400, `A chunk starts with its size in hex; received ${JSON.stringify(line.slice(0, 40))}.`);
  const [, digits = '', extensions = ''] = match;
  // Sixteen hex digits are 64 bits, as far as any implementation counts; past 2^53 a JS number
  // cannot count every byte. Both are refused rather than rounded.
  if (digits.length > 16) throw new HttpError(400, `The chunk size ${digits} has more than 16 hex digits.`);
  const size = Number.parseInt(digits, 16);
  if (!Number.isSafeInteger(size)) throw new HttpError(400, `The chunk size ${digits} is too large to be read exactly.`);
  // §7.1.1: a recipient MUST ignore extensions it does not know, but they must still be extensions.
  if (!CHUNK_EXT.test(extensions)) throw new HttpError(400, `${JSON.stringify(extensions.slice(0, 40))} after a chunk size is not a chunk extension.`);
  return size;
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
    for (;;) {
      if (this.state === 'done') return Buffer.alloc(0);
      if (this.state === 'size') {
        const size = parseChunkSize(await this.readLine(MAX_CHUNK_LINE_BYTES, 'a chunk-size line'));
        if (size === 0) {
          await this.readTrailers();
          this.state = 'done';
          continue;
        }
        // The limit of the route applies to the data, and is checked before the data is read.
        this.announced += size;
        if (this.announced > this.maxBytes) throw new HttpError(413, `The chunked body is over the ${this.maxBytes} bytes this route takes.`);
        this.left = size;
        this.state = 'data';
      } else if (this.state === 'data') {
        if (this.reader.buffer.length === 0) await this.fill('in the middle of a chunk');
        // What is here now, up to the end of the chunk: a big chunk is handed on as it comes.
        const piece = this.reader.consume(Math.min(this.left, this.reader.buffer.length));
        this.left -= piece.length;
        if (this.left === 0) this.state = 'data-end';
        return piece;
      } else {
        // §7.1: chunk-data is followed by CRLF, and nothing else.
        while (this.reader.buffer.length < 2) await this.fill('before the CRLF after a chunk');
        if (this.reader.buffer[0] !== 0x0d || this.reader.buffer[1] !== 0x0a)
          throw new HttpError(400, 'The data of a chunk is not followed by CRLF: its size is wrong.');
        this.reader.consume(2);
        this.state = 'size';
      }
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let piece = await this.read(); piece.length > 0; piece = await this.read()) yield piece;
  }

  /** The trailer section after the last chunk: field lines, then an empty line (§7.1.2). */
  private async readTrailers(): Promise<void> {
    let budget = MAX_HEAD_BYTES;
    for (;;) {
      if (budget < 2) throw new HttpError(431, `The trailer section is larger than ${MAX_HEAD_BYTES} bytes.`);
      const line = await this.readLine(budget - 2, 'the trailer section', 431);
      budget -= line.length + 2;
      if (line === '') return;
      // Trailer fields have the grammar of header fields (§7.1.2): http-request-head's parser.
      this.trailers.push(parseFieldLine(line));
    }
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

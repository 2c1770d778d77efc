// compression: encoding a response body on the fly. The body (a file, a live source) runs through a
// zlib stream, and what comes out is a body of unknown length, sent in chunks by chunked-response's
// writer. pipeline() connects the two ends: it waits when the compressor is full, and when either
// end fails or goes away, it destroys the other (RFC 9110 §8.4, §12.5.3, §12.5.5).

import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { RequestHead } from '../07-http-request-head/request-head.ts';
import { text, type Body } from '../08-http-response/response.ts';
import type { BodySource, StreamingResponse } from '../11-chunked-response/chunked.ts';
import { chooseCoding, type Coding } from './accept-encoding.ts';

/** Bodies shorter than this go out as they are: a gzip header and trailer alone are 18 bytes. */
export const MIN_COMPRESS_BYTES = 1024;

/** Media types that are text underneath; images, video, archives and fonts are compressed already. */
const COMPRESSIBLE = new Set(['application/json', 'application/javascript', 'application/xml', 'application/wasm', 'image/svg+xml']);

/** Whether a Content-Type is worth compressing: text/*, JSON, JavaScript, XML, SVG, wasm, and +json/+xml types. */
export function isCompressible(contentType: string | undefined): boolean {
  // TODO: the media type is what comes before ";", trimmed, in lower case. text/* is compressible,
  //       and so are the types in COMPRESSIBLE and those ending in +json or +xml.
  void COMPRESSIBLE;
  void contentType;
  return false;
}

export interface EncodeOptions {
  /**
   * A live source (lines produced over time): flush the compressor after every piece, so that each
   * piece reaches the client when it is made, not when the compressor's buffer happens to fill.
   */
  live?: boolean;
}

/** A zlib stream for `coding`. */
export function createEncoder(coding: Coding, { live = false }: EncodeOptions = {}): zlib.Gzip | zlib.BrotliCompress {
  // TODO: zlib.createGzip() for gzip, zlib.createBrotliCompress() for br (with a quality of 5: its
  //       default, 11, is far too slow on the fly). For a live source, set `flush` so that every
  //       write is pushed out at once: Z_SYNC_FLUSH for gzip, BROTLI_OPERATION_FLUSH for br.
  void live;
  throw new Error(`The ${coding} encoder is not written yet (TODO in compress.ts, createEncoder).`);
}

/** The pieces of a body, as something pipeline() reads from. */
function piecesOf(body: Body | BodySource): AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> {
  // A string is iterable too, by characters: it goes in whole, as one piece.
  return typeof body === 'string' || body instanceof Uint8Array ? [body] : body;
}

/**
 * `body` encoded with `coding`, piece by piece as the writer asks for them. Nothing starts before
 * the first ask (a HEAD never asks). When the writer stops early (the client reset), the encoder is
 * destroyed, and pipeline() then stops the source: its finally closes the file.
 */
export async function* encodeBody(body: Body | BodySource, coding: Coding, options: EncodeOptions = {}): AsyncGenerator<Buffer> {
  // TODO: create the encoder; start pipeline(piecesOf(body), encoder) without awaiting it (catch its
  //       error: the encoder reports it too); yield every piece that comes out of the encoder
  //       (for await), then await the pipeline. In a finally, destroy the encoder: when the writer
  //       stops early (the client reset), that is what stops the source and closes the file.
  void pipeline;
  void piecesOf;
  void createEncoder(coding, options);
  yield* [];
  void body;
}

/** The value of a field of a response (the first, any case), or undefined. */
export function headerOf(response: StreamingResponse, name: string): string | undefined {
  return response.headers?.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** `"abc"` → `"abc-gzip"`: the encoded representation is another representation, with its own tag (§8.8.3). */
export function encodedEtag(etag: string, coding: Coding): string {
  // TODO: the same tag with "-" and the coding inside the closing quote.
  void coding;
  return etag;
}

/** `Vary: Accept-Encoding` added: a cache must key what it stores on the request's Accept-Encoding (§12.5.5). */
export function withVary<T extends StreamingResponse>(response: T): T {
  // TODO: a copy of the response with ["Vary", "Accept-Encoding"] added to its headers.
  return response;
}

/** 406: the client refused identity and every coding we have (§15.5.7). */
export function notAcceptable(): StreamingResponse {
  return withVary(text(406, 'None of the content codings this server has (br, gzip, identity) is acceptable to you (Accept-Encoding).\n'));
}

/**
 * The response with its body encoded: Content-Encoding and Vary added, its ETag made the encoded
 * representation's, and a body of unknown length, which the writer sends chunked (HTTP/1.1) or
 * close-delimited (HTTP/1.0), never with the Content-Length of the bytes before encoding.
 */
export function encodeResponse(response: StreamingResponse, coding: Coding, options: EncodeOptions = {}): StreamingResponse {
  // TODO: the headers without Content-Length, with the ETag (if any) made encodedEtag(…), plus
  //       Content-Encoding; Vary added (withVary); the body encoded with encodeBody(…, options).
  void coding;
  void options;
  return response;
}

/** A body's length when it is known before it is sent; undefined for a source. */
function lengthOf(body: Body | BodySource): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body);
  const length = (body as { length?: unknown }).length;
  return typeof length === 'number' ? length : undefined;
}

/**
 * Compresses a route's response when it should be: a 200 (never a 206, whose byte positions are
 * the identity body's, nor a 304 or a 204, which have no body), not encoded already, of a
 * compressible type, and long enough (a source of unknown length always is). Every response whose
 * content could differ by encoding says so with Vary, the ones sent as they are included.
 */
export function compressResponse(head: RequestHead, response: StreamingResponse, options: EncodeOptions = {}): StreamingResponse {
  // TODO: leave alone what is not a 200 with a body, or has a Content-Encoding already, or is not
  //       of a compressible type (headerOf). Otherwise choose the coding (chooseCoding: worth it
  //       when the length is unknown (lengthOf) or at least MIN_COMPRESS_BYTES); undefined → 406
  //       (notAcceptable); identity → the response with Vary; else encodeResponse(…).
  void head;
  void options;
  void lengthOf;
  void chooseCoding;
  return response;
}

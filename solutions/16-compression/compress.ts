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
  if (contentType === undefined) return false;
  // The media type is what comes before any parameter (`; charset=utf-8`), in any case (§8.3.1).
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type.startsWith('text/') || COMPRESSIBLE.has(type) || type.endsWith('+json') || type.endsWith('+xml');
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
  if (coding === 'br') {
    return zlib.createBrotliCompress({
      // Brotli's default quality (11) is meant for files compressed once, ahead of time: on the fly
      // it is many times slower than gzip. Quality 5 is about gzip's speed with smaller output.
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 },
      flush: live ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.BROTLI_OPERATION_PROCESS,
    });
  }
  // Z_SYNC_FLUSH after every write: the output so far, ending on a byte boundary, decodable now.
  return zlib.createGzip({ flush: live ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.Z_NO_FLUSH });
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
  const encoder = createEncoder(coding, options);
  // pipeline writes each piece of the source into the encoder and waits for 'drain' when the
  // encoder's buffer is full, which it is as long as nobody reads what comes out: backpressure.
  const feeding = pipeline(piecesOf(body), encoder);
  feeding.catch(() => {}); // an error of the source also destroys the encoder: the loop below sees it
  try {
    // The loop reads the encoder only as fast as the writer sends: one piece, then 'drain'.
    for await (const piece of encoder as AsyncIterable<Buffer>) yield piece;
    await feeding;
  } finally {
    // Left early (the client went away) or failed: a compressor holds native memory until destroyed.
    encoder.destroy();
  }
}

/** The value of a field of a response (the first, any case), or undefined. */
export function headerOf(response: StreamingResponse, name: string): string | undefined {
  return response.headers?.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** `"abc"` → `"abc-gzip"`: the encoded representation is another representation, with its own tag (§8.8.3). */
export function encodedEtag(etag: string, coding: Coding): string {
  return etag.replace(/"$/, `-${coding}"`);
}

/** `Vary: Accept-Encoding` added: a cache must key what it stores on the request's Accept-Encoding (§12.5.5). */
export function withVary<T extends StreamingResponse>(response: T): T {
  return { ...response, headers: [...(response.headers ?? []), ['Vary', 'Accept-Encoding']] };
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
  const headers = (response.headers ?? [])
    .filter(([name]) => name.toLowerCase() !== 'content-length')
    .map(([name, value]): [string, string] => (name.toLowerCase() === 'etag' ? [name, encodedEtag(value, coding)] : [name, value]));
  headers.push(['Content-Encoding', coding]);
  return withVary({ ...response, headers, body: response.body === undefined ? undefined : encodeBody(response.body, coding, options) });
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
  const { status, body } = response;
  if (status !== 200 || body === undefined || headerOf(response, 'content-encoding') !== undefined) return response;
  if (!isCompressible(headerOf(response, 'content-type'))) return response;
  const length = lengthOf(body);
  const coding = chooseCoding(head, length === undefined || length >= MIN_COMPRESS_BYTES);
  if (coding === undefined) return notAcceptable();
  if (coding === 'identity') return withVary(response);
  return encodeResponse(response, coding, options);
}

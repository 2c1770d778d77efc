// range-requests: answering with part of a file. One range is a 206 whose body is that slice and
// whose Content-Range says which slice it is; several are one multipart/byteranges body; none that
// fits the file is a 416 (RFC 9110 §14.4, §14.6, §15.3.7, §15.5.17).

import { randomBytes } from 'node:crypto';
import { fieldValues, type RequestHead } from '../07-http-request-head/request-head.ts';
import { text, type Response, type StreamedBody } from '../08-http-response/response.ts';
import type { Request } from '../09-http-body/body.ts';
import { fileBody, type FoundFile } from '../13-static-files/serve-file.ts';
import { planRanges, type ByteRange } from './range.ts';

/** The request's Range field; undefined when there is none, or several (which is no valid field). */
export function rangeField(head: RequestHead): string | undefined {
  const values = fieldValues(head.headers, 'range');
  return values.length === 1 ? values[0] : undefined;
}

/** The Answer of range-requests (see serveFiles): the file, or the ranges its Range field asks for. */
export function answerRange(request: Request, file: FoundFile): Response {
  return rangeResponse(file, rangeField(request.head));
}

/**
 * The response for a GET or HEAD of `file` with the Range field value `range` (undefined: there is
 * none, or it is to be ignored; http-caching passes undefined when If-Range no longer holds).
 */
export function rangeResponse(file: FoundFile, range: string | undefined): Response {
  // TODO: every answer carries ["Accept-Ranges", "bytes"]. planRanges(range, size), then:
  //       - whole: 200, the file's Content-Type, fileBody(file);
  //       - unsatisfiable: 416 (a short text body) with ["Content-Range", `bytes */${size}`];
  //       - one range: 206, the file's Content-Type, ["Content-Range", contentRange(range, size)],
  //         and fileBody(file, first, last - first + 1);
  //       - several: 206, Content-Type `multipart/byteranges; boundary=${boundary}` (a random
  //         boundary: randomBytes(12).toString('hex')), and multipartBody(file, ranges, boundary).
  void file;
  void range;
  void planRanges;
  void randomBytes;
  void fileBody;
  return text(501, 'rangeResponse is not written yet (TODO in partial.ts).\n');
}

function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.first}-${range.last}/${size}`;
}

/**
 * A multipart/byteranges body (RFC 9110 §14.6, RFC 2046 §5.1.1):
 *
 *   --boundary CRLF  Content-Type: … CRLF  Content-Range: bytes a-b/size CRLF  CRLF  <bytes a to b> CRLF
 *   … one such part per range …
 *   --boundary-- CRLF
 *
 * Its length is added up before a byte is sent, so the response has an exact Content-Length.
 */
export function multipartBody(file: FoundFile, ranges: ByteRange[], boundary: string): StreamedBody {
  // TODO: for each range, its part head as a Buffer:
  //         `--${boundary}\r\nContent-Type: ${file.type}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`
  //       and the closing `--${boundary}--\r\n`. length = the sum of every head, every range's
  //       length, a CRLF after each range's bytes, and the closing line. The iterator yields, per
  //       part: the head, the bytes (yield* fileBody(file, first, length)), CRLF; then the closing.
  void file;
  void ranges;
  void boundary;
  void contentRange;
  return { length: 0, [Symbol.asyncIterator]: async function* () {} };
}

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
  const size = file.stats.size;
  // §14.3: Accept-Ranges tells the client it may ask for ranges of this file.
  const headers: Array<[string, string]> = [['Accept-Ranges', 'bytes']];
  const plan = planRanges(range, size);
  if (plan.kind === 'whole') {
    return { status: 200, headers: [...headers, ['Content-Type', file.type]], body: fileBody(file) };
  }
  if (plan.kind === 'unsatisfiable') {
    // §15.5.17: a 416 to a byte range request SHOULD say how long the file is: "*/size".
    const response = text(416, `No byte of "${range}" is inside this file of ${size} bytes.\n`);
    response.headers!.push(...headers, ['Content-Range', `bytes */${size}`]);
    return response;
  }
  const [only] = plan.ranges;
  if (plan.ranges.length === 1 && only) {
    // §14.4: Content-Range = "bytes" SP first "-" last "/" complete-length.
    return {
      status: 206,
      headers: [...headers, ['Content-Type', file.type], ['Content-Range', contentRange(only, size)]],
      body: fileBody(file, only.first, only.last - only.first + 1),
    };
  }
  // §15.3.7.2: several ranges are one multipart body; a part per range, in the order asked.
  const boundary = randomBytes(12).toString('hex');
  return {
    status: 206,
    headers: [...headers, ['Content-Type', `multipart/byteranges; boundary=${boundary}`]],
    body: multipartBody(file, plan.ranges, boundary),
  };
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
  const size = file.stats.size;
  const CRLF = Buffer.from('\r\n');
  const parts = ranges.map((range) => ({
    // A part's head is ASCII: the type, the numbers, the boundary (hex).
    head: Buffer.from(`--${boundary}\r\nContent-Type: ${file.type}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`, 'latin1'),
    range,
  }));
  const closing = Buffer.from(`--${boundary}--\r\n`, 'latin1');
  const length = parts.reduce((sum, part) => sum + part.head.length + (part.range.last - part.range.first + 1) + CRLF.length, closing.length);
  return {
    length,
    async *[Symbol.asyncIterator]() {
      for (const { head, range } of parts) {
        yield head;
        yield* fileBody(file, range.first, range.last - range.first + 1);
        yield CRLF;
      }
      yield closing;
    },
  };
}

// Chunked request bodies as the checks of chunked-request send them, and what /inspect must say
// about them. Shared by the check files of this lesson.

import { check, quote, request, type Expect, type HttpResponse } from '#harness/testing/index.ts';

export const CHUNKED = 'RFC 9112 §7.1 (chunked transfer coding)';
export const MiB = 1024 * 1024;

export interface ChunkSpec {
  data: Buffer | string;
  /** What follows the size on its line: `;name=value`. */
  ext?: string;
  /** The size as written, when not the plain lower-case hex of the data's length. */
  size?: string;
}

/** The bytes of a chunked body: each chunk, the last chunk, trailer lines, the final CRLF. */
export function chunkedBody(chunks: Array<ChunkSpec | string | Buffer>, trailers: string[] = [], last = '0'): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks) {
    const spec: ChunkSpec = typeof chunk === 'string' || Buffer.isBuffer(chunk) ? { data: chunk } : chunk;
    const data = Buffer.from(spec.data);
    parts.push(Buffer.from(`${spec.size ?? data.length.toString(16)}${spec.ext ?? ''}\r\n`, 'latin1'), data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`${last}\r\n${trailers.map((line) => `${line}\r\n`).join('')}\r\n`, 'latin1'));
  return Buffer.concat(parts);
}

/** A request with a chunked body (or the raw `body` bytes given), and no Content-Length. */
export function chunkedRequest(
  target: string,
  body: Buffer,
  options: { method?: string; headers?: Array<[string, string]>; version?: string; te?: string } = {},
): Buffer {
  return request({
    method: options.method ?? 'POST',
    target,
    version: options.version,
    headers: [['Transfer-Encoding', options.te ?? 'chunked'], ...(options.headers ?? [])],
    body,
    contentLength: false,
  });
}

interface Inspected {
  method?: string;
  target?: string;
  bodyLength?: number;
  trailers?: Array<{ name: string; value: string }>;
}

/** An Expect for /inspect: status 200, and the body length (and trailers) it reports. */
export function inspected(bodyLength: number, trailers: Array<[string, string]> = [], extra: Omit<Expect, 'status' | 'check'> = {}): Expect {
  return {
    status: 200,
    ...extra,
    check: (response: HttpResponse, label: string) => {
      let parsed: Inspected = {};
      try {
        parsed = JSON.parse(response.body.toString('utf8')) as Inspected;
      } catch {
        // reported below
      }
      check(parsed.bodyLength === bodyLength, {
        message: `Expected ${label} to report a body of ${bodyLength} bytes, received ${parsed.bodyLength === undefined ? response.summary() : `bodyLength ${parsed.bodyLength}`}.`,
        why: 'The chunks carry the body: their data, put together, is all of it, and nothing else (not the size lines, not the CRLFs, not the trailers).',
        spec: CHUNKED,
        hint: 'Return the data of each chunk from read(), piece by piece, and an empty Buffer only after the last chunk.',
      });
      const got = (parsed.trailers ?? []).map(({ name, value }) => `${name}: ${value}`);
      const want = trailers.map(([name, value]) => `${name}: ${value}`);
      check(got.length === want.length && got.every((line, i) => line.toLowerCase() === want[i]!.toLowerCase()), {
        message: `Expected ${label} to report the trailer fields ${quote(want.join(' | ') || '(none)')}, received ${quote(got.join(' | ') || '(none)')}.`,
        why: 'After the last chunk (size 0) come trailer fields, like header fields, then an empty line. They are part of the body, not of the next request.',
        spec: 'RFC 9112 §7.1.2 (chunked trailer section)',
        hint: 'In readTrailers, read lines until the empty one and push each through parseFieldLine() (yours, from http-request-head) onto this.trailers.',
      });
    },
  };
}

// The folder the http-caching checks serve, with files whose mtimes are set on purpose, and small
// helpers to ask for a file with some fields and to name the validators a response carried.

import fs from 'node:fs';
import path from 'node:path';
import { check, exchange, makeTree, request, type Fields, type HttpResponse, type Server } from '#harness/testing/index.ts';

export const DATA = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + (i >> 8)) % 256));
export const HELLO = 'Hello, caches!\n';

/** 14 Nov 2023 22:13:20.750 UTC: a mtime with a fraction of a second, as real mtimes have. */
export const MTIME_S = 1_700_000_000.75;
export const LAST_MODIFIED = 'Tue, 14 Nov 2023 22:13:20 GMT';
/** The same second, in the two obsolete formats a server must also read (RFC 9110 §5.6.7). */
export const LAST_MODIFIED_RFC850 = 'Tuesday, 14-Nov-23 22:13:20 GMT';
export const LAST_MODIFIED_ASCTIME = 'Tue Nov 14 22:13:20 2023';

export function makeSite(): { root: string; file: (name: string) => string } {
  const root = makeTree({
    'data.bin': DATA,
    'hello.txt': HELLO,
    'page.html': '<!doctype html><p>page</p>\n',
    'change.txt': 'version 1\n',
    'resize.txt': 'short\n',
    'touch.txt': 'same bytes\n',
    'quick.txt': 'AAAA\n',
  });
  for (const name of ['data.bin', 'hello.txt', 'page.html', 'change.txt', 'resize.txt', 'touch.txt', 'quick.txt'])
    fs.utimesSync(path.join(root, name), MTIME_S, MTIME_S);
  return { root, file: (name) => path.join(root, name) };
}

/** GET (or `method`) of `target` with `fields`, on a new connection. */
export async function ask(server: Server, target: string, fields: Fields = [], method = 'GET'): Promise<HttpResponse> {
  const client = await server.connect();
  const shown = fields.map(([n, v]) => `${n}: ${v}`).join(', ');
  return exchange(client, request({ method, target, headers: fields }), {
    method,
    what: `the response to ${method} ${target}${shown ? ` with ${shown}` : ''}`,
  });
}

/** The ETag a 200 carried, checked to be a strong entity-tag. */
export function etagOf(response: HttpResponse): string {
  const etag = response.header('etag');
  check(etag !== undefined && /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(etag), {
    message: `Expected a strong ETag (a quoted string like "1f4-5f2c3b") in ${response.statusLine}, received ${etag === undefined ? 'no ETag' : `"ETag: ${etag}"`}.`,
    why: 'An entity-tag is a quoted string; W/ in front makes it weak, and a weak tag can never match for If-Range, which needs the very same bytes.',
    spec: 'RFC 9110 §8.8.3',
    hint: 'ETag: a quoted string made of the file\'s size and mtime, e.g. `"${size.toString(16)}-${Math.round(mtimeMs * 1000).toString(16)}"`.',
  });
  return etag;
}

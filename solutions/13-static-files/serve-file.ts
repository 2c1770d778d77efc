// static-files: serving the files of a folder. A GET or HEAD finds its file (file-path.ts), a folder
// leads to its index.html, and the file's bytes go out as a streamed body: read a piece at a time,
// as the connection takes them, from a file handle that is closed however the response ends.

import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { text, type Response, type StreamedBody } from '../08-http-response/response.ts';
import { pathOf, type Handler } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { filePathFor, realPathInside } from './file-path.ts';

/** A file found for a request: where it really is, what stat said, and its Content-Type. */
export interface FoundFile {
  path: string;
  stats: Stats;
  type: string;
}

/** Makes the response for a file that was found. range-requests and http-caching bring their own. */
export type Answer = (request: Request, file: FoundFile) => Response | Promise<Response>;

/** A handler that serves the files under `root`: GET and HEAD only; `answer` makes the response. */
export function serveFiles(root: string, answer: Answer = wholeFile): Handler<Request> {
  // The root's real path, once: a root reached through a symlink (macOS's /tmp is one) must
  // still contain the real paths of its files.
  const realRoot = fs.realpath(root);
  return async (request) => {
    const { method, target } = request.head;
    // RFC 9110 §15.5.6: 405 says which methods would work, in Allow.
    if (method !== 'GET' && method !== 'HEAD') {
      const response = text(405, `${method} is not allowed here; a file server takes GET and HEAD.\n`);
      response.headers!.push(['Allow', 'GET, HEAD']);
      return response;
    }
    const found = await findFile(await realRoot, target);
    return 'stats' in found ? answer(request, found) : found;
  };
}

/** The whole file: 200, its type, its bytes. */
export function wholeFile(_request: Request, file: FoundFile): Response {
  return { status: 200, headers: [['Content-Type', file.type]], body: fileBody(file) };
}

/**
 * The file a target names under `realRoot`, or the response that says why there is none: 301 to
 * add the "/" a folder's URL needs, 404 for everything else refused or missing.
 */
export async function findFile(realRoot: string, target: string): Promise<FoundFile | Response> {
  // Refused and missing look the same from outside: a 404 does not tell what exists.
  const notFound = text(404, 'Not found.\n');
  const file = filePathFor(realRoot, target);
  if (file === undefined) return notFound;
  let real = await realPathInside(realRoot, file);
  let stats = real === undefined ? undefined : await statOf(real);
  if (real === undefined || stats === undefined) return notFound;
  let name = file;
  if (stats.isDirectory()) {
    const rawPath = pathOf(target);
    if (!rawPath.endsWith('/')) {
      // Relative links in the folder's page resolve against its URL: it must end with "/".
      // Leading slashes are merged, or "//evil.example" would send the client to another host.
      const query = target.indexOf('?');
      const location = `/${rawPath.replace(/^\/+/, '')}/${query < 0 ? '' : target.slice(query)}`;
      return {
        status: 301,
        headers: [
          ['Location', location],
          ['Content-Type', 'text/plain; charset=utf-8'],
        ],
        body: `Moved to ${location}\n`,
      };
    }
    // The folder's page, if it has one. This server lists no folders: see the README.
    name = path.join(real, 'index.html');
    real = await realPathInside(realRoot, name);
    stats = real === undefined ? undefined : await statOf(real);
    if (real === undefined || stats === undefined) return notFound;
  }
  // Only regular files: a FIFO would block the read forever, a device never end.
  if (!stats.isFile()) return notFound;
  return { path: real, stats, type: contentTypeOf(name) };
}

async function statOf(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch {
    return undefined; // gone since realpath()
  }
}

/** Content-Type by extension; types that are text say their charset. */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.woff2': 'font/woff2',
};

/** The Content-Type for a file name: by its extension, whatever its case; unknown → bytes. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** How much of a file is read at a time. */
const PIECE_BYTES = 64 * 1024;

/**
 * The bytes of `file` from `start`, `length` of them, as a body the writer pulls piece by piece.
 * Nothing is opened until the writer asks for the first piece: a response whose body is never
 * sent (HEAD, a client that left) holds no file handle.
 */
export function fileBody(file: FoundFile, start = 0, length = file.stats.size - start): StreamedBody {
  return { length, [Symbol.asyncIterator]: () => readPieces(file, start, length) };
}

async function* readPieces(file: FoundFile, start: number, length: number): AsyncGenerator<Buffer> {
  const handle = await fs.open(file.path, 'r');
  // finally runs however the body ends: read to the end, the writer stopped (the client reset),
  // or a read failed. for await calls return() on the generator when its loop is left early.
  try {
    // The head already promised this file's length. If it changed since stat(), send nothing.
    const now = await handle.stat();
    if (now.size !== file.stats.size || now.mtimeMs !== file.stats.mtimeMs) throw new Error(`${file.path} changed after it was found; not sending it.`);
    let position = start;
    const end = start + length;
    while (position < end) {
      // A new buffer each time: the socket may still hold the last piece when we read the next.
      const buffer = Buffer.allocUnsafe(Math.min(PIECE_BYTES, end - position));
      // Read at a position (pread): from `start` straight away, never from 0 and skip.
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      // The file shrank under us. Throwing closes the connection, so the client sees a short
      // body (an error it can detect), never bytes that are not the file's.
      if (bytesRead === 0) throw new Error(`${file.path} ended ${end - position} bytes early: it shrank while being sent.`);
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

// static-files: serving the files of a folder. A GET or HEAD finds its file (file-path.ts), a folder
// leads to its index.html, and the file's bytes go out as a streamed body: read a piece at a time,
// as the connection takes them, from a file handle that is closed however the response ends.

import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from '../07-http-request-head/request-head.ts';
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
  // TODO: once, here: the root's real path (fs.realpath(root); a promise you can await below).
  //       Then return a handler that, for each request:
  //       - answers a method other than GET and HEAD with 405 and ["Allow", "GET, HEAD"];
  //       - calls findFile(realRoot, request.head.target);
  //       - returns answer(request, found) when it found a file, else the Response it returned.
  void root;
  void answer;
  return () => text(501, 'serveFiles is not written yet (TODO in serve-file.ts).\n');
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
  // TODO: 1. filePathFor(realRoot, target), then realPathInside(realRoot, file), then statOf(real);
  //          anything undefined: a 404 (text(404, …)).
  //       2. A folder: if pathOf(target) does not end with "/", answer 301 with a Location of that
  //          path plus "/" (leading slashes merged into one, the query kept). Otherwise look for
  //          its index.html the same way (realPathInside, statOf); none: 404.
  //       3. Not a regular file (stats.isFile()): 404.
  //       4. Return { path: real, stats, type: contentTypeOf(the requested name) }.
  void realRoot;
  void target;
  void filePathFor;
  void realPathInside;
  void pathOf;
  throw new HttpError(501, 'findFile is not written yet (TODO in serve-file.ts).');
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
  // TODO: look up the extension (path.extname) in CONTENT_TYPES, whatever its case;
  //       application/octet-stream when it is not there.
  void file;
  return 'application/octet-stream';
}

/** How much of a file is read at a time. */
const PIECE_BYTES = 64 * 1024;

/**
 * The bytes of `file` from `start`, `length` of them, as a body the writer pulls piece by piece.
 * Nothing is opened until the writer asks for the first piece: a response whose body is never
 * sent (HEAD, a client that left) holds no file handle.
 */
export function fileBody(file: FoundFile, start = 0, length = file.stats.size - start): StreamedBody {
  // TODO: return { length, [Symbol.asyncIterator]: () => readPieces(file, start, length) }.
  void start;
  void length;
  throw new HttpError(501, 'fileBody is not written yet (TODO in serve-file.ts).');
}

async function* readPieces(file: FoundFile, start: number, length: number): AsyncGenerator<Buffer> {
  // TODO: open the file (fs.open(file.path, 'r')), and in try { … } finally { close it }:
  //       - handle.stat(): if its size or mtimeMs differ from file.stats, throw (it changed);
  //       - from position = start until start + length: read at most PIECE_BYTES into a NEW
  //         Buffer at that position (handle.read(buffer, 0, n, position)); 0 bytes read before
  //         the end: throw (the file shrank); yield buffer.subarray(0, bytesRead).
  void file;
  void start;
  void length;
  void PIECE_BYTES;
  yield Buffer.alloc(0);
}

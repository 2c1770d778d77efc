// compression: the application so far (static-files' app: Part 3's routes and the files), now
// compressing: the files through your encoded-files.ts, every route added with add() through your
// compressResponse, flushed after every piece (a route may be a live source like /sheep), and
// /precompressed, a body that is gzip'd already. The WebSocket lessons build on this. Written for
// you; it stays as it is.

import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import type { Handler } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import type { StreamingResponse } from '../11-chunked-response/chunked.ts';
import { streaming } from '../11-chunked-response/routes.ts';
import { fileServerApp } from '../13-static-files/app.ts';
import { MountRouter } from '../13-static-files/mount.ts';
import { compressResponse } from './compress.ts';

/**
 * A router whose routes (those added with add(), not the files) answer through your
 * compressResponse, flushed after every piece: a route may be a live source like /sheep.
 */
export class CompressingRouter extends MountRouter<Request> {
  override add(method: string, path: string, handler: Handler<Request>, options: { maxBodyBytes?: number } = {}): this {
    const compressed = async (request: Request) => compressResponse(request.head, (await handler(request)) as StreamingResponse, { live: true });
    return super.add(method, path, compressed as Handler<Request>, options);
  }
}

/**
 * Text that is gzip'd once, here, as a file stored compressed on disk would be: a line of prose,
 * then hashes (which compress poorly, so that the gzip'd body stays over the threshold).
 */
const PRECOMPRESSED = zlib.gzipSync(
  [
    "This body was gzip'd before anybody asked for it. Compressed again, a client that decodes gzip once sees gzip.\n",
    ...Array.from({ length: 100 }, (_, i) => `${i}: ${createHash('sha256').update(String(i)).digest('hex')}\n`),
  ].join(''),
);

/** /precompressed, Part 3's routes (compressed), then `files` (encoded by encoded-files.ts) at every other path. */
export function compressionApp(files: Handler<Request>, router = new CompressingRouter()): CompressingRouter {
  router.add(
    'GET',
    '/precompressed',
    streaming(() => ({
      status: 200,
      headers: [
        ['Content-Type', 'text/plain; charset=utf-8'],
        ['Content-Encoding', 'gzip'],
      ],
      body: PRECOMPRESSED,
    })),
  );
  return fileServerApp(files, router);
}

// compression: the whole server. The file server of Part 4 (static-files, range-requests,
// http-caching), now compressing what is worth it with your encoded-files.ts, plus routes that are
// not files, each through your compressResponse: chunked-response's demo routes (/sheep, the live
// counter, compressed and flushed line by line; /pieces, /stream, /broken) and /precompressed, a
// body that is gzip'd already. It stays as it is.
// Run: npx learn run compression --port 3000 [-- --root ./some/folder --log]
//      Then: curl -v --compressed http://127.0.0.1:3000/page.js -o /dev/null
// Check: npx learn check compression

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { Conn } from '../02-socket-promises/socket.ts';
import type { Handler } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { serveConnection } from '../10-keep-alive/connection.ts';
import { writeResponse, type StreamingResponse } from '../11-chunked-response/chunked.ts';
import { addStreamingRoutes, streaming } from '../11-chunked-response/routes.ts';
import { logged } from '../13-static-files/access-log.ts';
import { MountRouter } from '../13-static-files/mount.ts';
import { serveFiles } from '../13-static-files/serve-file.ts';
import { compressResponse } from './compress.ts';
import { answerEncoded } from './encoded-files.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    root: { type: 'string', default: fileURLToPath(new URL('./site', import.meta.url)) },
    'idle-timeout': { type: 'string', default: '5000' },
    // Seconds a browser may reuse a file without asking; 0 (the default): it asks every time.
    'max-age': { type: 'string', default: '0' },
    // One line per request on stdout: method, target, the fields that matter here, status.
    log: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const host = values.host;
const idleTimeoutMs = Number(values['idle-timeout']);
if (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs <= 0)
  throw new Error(`--idle-timeout takes a number of milliseconds; received ${values['idle-timeout']}.`);
const maxAge = Number(values['max-age']);
if (!Number.isInteger(maxAge) || maxAge < 0) throw new Error(`--max-age takes a whole number of seconds; received ${values['max-age']}.`);
const root = path.resolve(values.root);
if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--root must name a folder; ${root} is not one.`);

/**
 * A router whose routes (those added with add(), not the files) answer through your
 * compressResponse, flushed after every piece: a route may be a live source like /sheep.
 */
class CompressingRouter extends MountRouter<Request> {
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

const files = serveFiles(root, answerEncoded({ maxAge }));
const router = new CompressingRouter();
// /sheep (?n=, ?interval=), /pieces, /stream (?mib=), /broken: chunked-response's demo routes.
addStreamingRoutes(router);
router
  .add(
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
  )
  .mount('/', values.log ? logged(files) : files);

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  // Your loop from keep-alive, with chunked-response's writer: encoded bodies have no known length.
  serveConnection(conn, router, { idleTimeoutMs, writeResponse })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`HTTP server (compression) listening on http://${host}:${port}/, serving ${root}`);
});

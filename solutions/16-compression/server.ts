// compression: the whole server. The file server of Part 4 (static-files, range-requests,
// http-caching), now compressing what is worth it with your encoded-files.ts, plus routes that are
// not files, each through your compressResponse: chunked-response's demo routes (/sheep, the live
// counter, compressed and flushed line by line; /pieces, /stream, /broken) and /precompressed, a
// body that is gzip'd already. It stays as it is.
// Run: npx learn run compression --port 3000 [-- --root ./some/folder --log]
//      Then: curl -v --compressed http://127.0.0.1:3000/page.js -o /dev/null
// Check: npx learn check compression

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { serveConnection } from '../10-keep-alive/connection.ts';
import { HTTP11_FRAMING } from '../12-chunked-request/framing.ts';
import { logged } from '../13-static-files/access-log.ts';
import { serveFiles } from '../13-static-files/serve-file.ts';
import { compressionApp } from './app.ts';
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

const files = serveFiles(root, answerEncoded({ maxAge }));
// Every route of the lessons before, compressed, and the files, encoded (app.ts).
const app = compressionApp(values.log ? logged(files) : files);

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  // Your loop from keep-alive, with HTTP/1.1's whole framing: encoded bodies have no known length,
  // and uploads may come in chunks.
  serveConnection(conn, app, { idleTimeoutMs, framing: HTTP11_FRAMING })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`HTTP server (compression) listening on http://${host}:${port}/, serving ${root}`);
});

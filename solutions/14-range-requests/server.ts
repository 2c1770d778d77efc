// range-requests: the whole server: static-files' file server, now answering Range requests with your
// range.ts and partial.ts. It serves --root DIR (by default site/ beside this file) through your
// keep-alive loop, writer and router, and your file code from static-files. It stays as it is.
// Run: npx learn run range-requests --port 3000 [-- --root ./some/folder --log]
//      Then: curl -v -r 0-99 http://127.0.0.1:3000/alphabet.txt
// Check: npx learn check range-requests

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { serveConnection } from '../10-keep-alive/connection.ts';
import { HTTP11_FRAMING } from '../12-chunked-request/framing.ts';
import { fileServerApp } from '../13-static-files/app.ts';
import { serveFiles } from '../13-static-files/serve-file.ts';
import { answerRange } from './partial.ts';
import { logged } from '../13-static-files/access-log.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    root: { type: 'string', default: fileURLToPath(new URL('./site', import.meta.url)) },
    'idle-timeout': { type: 'string', default: '5000' },
    // One line per request on stdout: method, target, the fields that matter here, status.
    log: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const host = values.host;
const idleTimeoutMs = Number(values['idle-timeout']);
if (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs <= 0)
  throw new Error(`--idle-timeout takes a number of milliseconds; received ${values['idle-timeout']}.`);
const root = path.resolve(values.root);
if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--root must name a folder; ${root} is not one.`);

const files = serveFiles(root, answerRange);
// Every route of the lessons before (Part 3), and the files at every other path.
const app = fileServerApp(values.log ? logged(files) : files);

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveConnection(conn, app, { idleTimeoutMs, framing: HTTP11_FRAMING })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`HTTP server (range-requests) listening on http://${host}:${port}/, serving ${root}`);
});

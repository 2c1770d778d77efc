// websocket-handshake: the whole server so far (every route of Parts 3 to 5: the files, ranges,
// validators, compression, uploads in both framings), with a WebSocket endpoint: /echo upgrades to
// WebSocket (your handshake.ts) and echoes small frames (first-frames.ts) once your hand-over
// (connection.ts) has taken the connection from keep-alive's loop; a POST or PUT to /echo is still
// the HTTP echo. Written for you; it stays as it is.
// Run: npx learn run websocket-handshake --port 3000 [-- --origin http://localhost:8000 --root DIR --log]
// Check: npx learn check websocket-handshake

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { HTTP11_FRAMING } from '../12-chunked-request/framing.ts';
import { logged } from '../13-static-files/access-log.ts';
import { serveFiles } from '../13-static-files/serve-file.ts';
import { answerEncoded } from '../16-compression/encoded-files.ts';
import { websocketApp } from './app.ts';
import { serveConnection } from './connection.ts';
import { echoFirstFrames } from './first-frames.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'idle-timeout': { type: 'string', default: '5000' },
    // Origins allowed to open a WebSocket (repeat the flag for more); none given: any origin.
    origin: { type: 'string', multiple: true },
    // The site of Part 4 and 5, compression's sample folder unless told otherwise.
    root: { type: 'string', default: fileURLToPath(new URL('../16-compression/site', import.meta.url)) },
    'max-age': { type: 'string', default: '0' },
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
const origins = values.origin?.map((origin) => origin.toLowerCase());

const files = serveFiles(root, answerEncoded({ maxAge }));
const app = websocketApp(values.log ? logged(files) : files, { protocols: ['chat'], origins }, (conn, start) => echoFirstFrames(conn, start));

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  // Your hand-over (connection.ts) around keep-alive's loop, with HTTP/1.1's whole framing.
  serveConnection(conn, app, { idleTimeoutMs, framing: HTTP11_FRAMING })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(
    `HTTP server with WebSocket listening on http://${host}:${port}/, serving ${root} (echo at ws://${host}:${port}/echo${origins ? `, origins ${origins.join(' ')}` : ''})`,
  );
});

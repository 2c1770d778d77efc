// websocket-handshake: the keep-alive server, with a WebSocket endpoint. GET / is ordinary HTTP;
// /echo upgrades to WebSocket (your handshake.ts) and echoes small frames (first-frames.ts) once
// your connection loop (connection.ts) has handed the connection over. Written for you; it stays
// as it is.
// Run: npx learn run websocket-handshake --port 3000 [--origin http://localhost:8000] [--idle-timeout 5000]
// Check: npx learn check websocket-handshake

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { text } from '../08-http-response/response.ts';
import { Router } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { serveConnection } from './connection.ts';
import { echoFirstFrames } from './first-frames.ts';
import { websocketRoute } from './upgrade.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'idle-timeout': { type: 'string', default: '5000' },
    // Origins allowed to open a WebSocket (repeat the flag for more); none given: any origin.
    origin: { type: 'string', multiple: true },
  },
});
const port = Number(values.port);
const host = values.host;
const idleTimeoutMs = Number(values['idle-timeout']);
if (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs <= 0)
  throw new Error(`--idle-timeout takes a number of milliseconds; received ${values['idle-timeout']}.`);
const origins = values.origin?.map((origin) => origin.toLowerCase());

const router = new Router<Request>()
  .add('GET', '/', () => text(200, 'Hello, world! WebSocket echo at /echo.\n'))
  // Any method reaches the handshake, which refuses what is not a GET with 400.
  .add(
    '*',
    '/echo',
    websocketRoute({ protocols: ['chat'], origins }, (conn, start) => echoFirstFrames(conn, start)),
  );

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveConnection(conn, router, { idleTimeoutMs })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(
    `HTTP server with WebSocket listening on http://${host}:${port}/ (echo at ws://${host}:${port}/echo${origins ? `, origins ${origins.join(' ')}` : ''})`,
  );
});

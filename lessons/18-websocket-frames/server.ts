// websocket-frames: the server of websocket-handshake, now with real frames: /echo sends every
// message back, text as text and binary as binary, whatever its size (up to --max-message) or
// fragmentation. Your work is in frame-reader.ts, frame-writer.ts and websocket.ts; the handshake
// and the hand-over are yours from websocket-handshake. Written for you; it stays as it is.
// Run: npx learn run websocket-frames --port 3000 [--max-message 16777216] [--close-timeout 1000]
// Check: npx learn check websocket-frames

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { text } from '../08-http-response/response.ts';
import { Router } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { serveConnection } from '../17-websocket-handshake/connection.ts';
import { websocketRoute } from '../17-websocket-handshake/upgrade.ts';
import { WebSocket } from './websocket.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'idle-timeout': { type: 'string', default: '5000' },
    // 16 MiB: the largest message the usual conformance suites send.
    'max-message': { type: 'string', default: String(16 * 1024 * 1024) },
    'close-timeout': { type: 'string', default: '1000' },
  },
});
const port = Number(values.port);
const host = values.host;
const number = (flag: 'idle-timeout' | 'max-message' | 'close-timeout') => {
  const value = Number(values[flag]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${flag} takes a positive whole number; received ${values[flag]}.`);
  return value;
};
const idleTimeoutMs = number('idle-timeout');
const maxMessageBytes = number('max-message');
const closeTimeoutMs = number('close-timeout');

const router = new Router<Request>()
  .add('GET', '/', () => text(200, 'Hello, world! WebSocket echo at /echo.\n'))
  .add(
    '*',
    '/echo',
    websocketRoute({ protocols: ['chat'] }, async (conn, start) => {
      const socket = new WebSocket(conn, { maxMessageBytes, closeTimeoutMs });
      socket.onMessage = (message) => socket.send(message.data);
      await socket.serve(start);
    }),
  );

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveConnection(conn, router, { idleTimeoutMs })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`WebSocket echo server listening on ws://${host}:${port}/echo (max message ${maxMessageBytes} bytes)`);
});

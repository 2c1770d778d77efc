// websocket-frames: the server of websocket-handshake (every route of the lessons before), now with
// real frames: /echo sends every message back, text as text and binary as binary, whatever its
// size (up to --max-message) or fragmentation. Your work is in frame-reader.ts, frame-writer.ts and
// websocket.ts; the handshake and the hand-over are yours from websocket-handshake. Written for
// you; it stays as it is.
// Run: npx learn run websocket-frames --port 3000 [-- --max-message 16777216 --close-timeout 1000 --root DIR]
// Check: npx learn check websocket-frames

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
import { websocketApp } from '../17-websocket-handshake/app.ts';
import { serveConnection } from '../17-websocket-handshake/connection.ts';
import { WebSocket } from './websocket.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'idle-timeout': { type: 'string', default: '5000' },
    // 16 MiB: the largest message the usual conformance suites send.
    'max-message': { type: 'string', default: String(16 * 1024 * 1024) },
    'close-timeout': { type: 'string', default: '1000' },
    // The site of Part 4 and 5, compression's sample folder unless told otherwise.
    root: { type: 'string', default: fileURLToPath(new URL('../16-compression/site', import.meta.url)) },
    'max-age': { type: 'string', default: '0' },
    log: { type: 'boolean', default: false },
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

const maxAge = Number(values['max-age']);
if (!Number.isInteger(maxAge) || maxAge < 0) throw new Error(`--max-age takes a whole number of seconds; received ${values['max-age']}.`);
const root = path.resolve(values.root);
if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--root must name a folder; ${root} is not one.`);

const files = serveFiles(root, answerEncoded({ maxAge }));
// /echo echoes every WebSocket message, text as text and binary as binary.
const app = websocketApp(values.log ? logged(files) : files, { protocols: ['chat'] }, async (conn, start) => {
  const socket = new WebSocket(conn, { maxMessageBytes, closeTimeoutMs });
  socket.onMessage = (message) => socket.send(message.data);
  await socket.serve(start);
});

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveConnection(conn, app, { idleTimeoutMs, framing: HTTP11_FRAMING })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(
    `HTTP server listening on http://${host}:${port}/, serving ${root}; WebSocket echo at ws://${host}:${port}/echo (max message ${maxMessageBytes} bytes)`,
  );
});

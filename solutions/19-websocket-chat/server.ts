// websocket-chat: the whole server, the sum of the lessons. GET / is the chat's page (page.ts,
// public/), /chat the WebSocket endpoint where your Chat (chat.ts) serves each connection through
// your queue (send-queue.ts); every route of the lessons before still answers: the site (its front
// page at /index.html) with ranges, validators and compression, uploads to /echo in both framings,
// the WebSocket echo at /echo, the streaming demos. SIGINT and SIGTERM shut it down gracefully: every member gets a close frame
// 1001 before the process exits. Written for you; it stays as it is.
// Run: npx learn run websocket-chat --port 3000, then open http://127.0.0.1:3000/ in two windows
//      [-- --root DIR --log --origin http://…]
// Check: npx learn check websocket-chat

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { HTTP11_FRAMING } from '../12-chunked-request/framing.ts';
import { logged } from '../13-static-files/access-log.ts';
import { serveFiles } from '../13-static-files/serve-file.ts';
import { CompressingRouter } from '../16-compression/app.ts';
import { answerEncoded } from '../16-compression/encoded-files.ts';
import { websocketApp } from '../17-websocket-handshake/app.ts';
import { serveConnection } from '../17-websocket-handshake/connection.ts';
import { websocketRoute } from '../17-websocket-handshake/upgrade.ts';
import { WebSocket } from '../18-websocket-frames/websocket.ts';
import { Chat } from './chat.ts';
import { PAGE_PATHS, page } from './page.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'idle-timeout': { type: 'string', default: '5000' },
    'max-message': { type: 'string', default: String(1024 * 1024) },
    // Bytes that may wait for one member before it is dropped as too slow.
    'max-queue': { type: 'string', default: String(16 * 1024 * 1024) },
    'close-timeout': { type: 'string', default: '1000' },
    'ping-interval': { type: 'string', default: '30000' },
    history: { type: 'string', default: '50' },
    origin: { type: 'string', multiple: true },
    // The site of Part 4 and 5, compression's sample folder unless told otherwise.
    root: { type: 'string', default: fileURLToPath(new URL('../16-compression/site', import.meta.url)) },
    'max-age': { type: 'string', default: '0' },
    log: { type: 'boolean', default: false },
  },
});
type NumberFlag = 'port' | 'idle-timeout' | 'max-message' | 'max-queue' | 'close-timeout' | 'ping-interval' | 'history';
const number = (flag: NumberFlag) => {
  const value = Number(values[flag]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${flag} takes a positive whole number; received ${values[flag]}.`);
  return value;
};
const port = number('port');
const host = values.host;

const chat = new Chat({
  maxMessageBytes: number('max-message'),
  maxQueueBytes: number('max-queue'),
  closeTimeoutMs: number('close-timeout'),
  pingIntervalMs: number('ping-interval'),
  historySize: number('history'),
});

const root = path.resolve(values.root);
if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--root must name a folder; ${root} is not one.`);
const origins = values.origin?.map((origin) => origin.toLowerCase());

// The chat's own routes come first: its page at / and /chat.js (they win over the site's files at
// the same paths; the site's front page is still /index.html), and its WebSocket at /chat.
const router = new CompressingRouter();
for (const path of PAGE_PATHS) router.add('GET', path, () => page(path));
router.add(
  '*',
  '/chat',
  websocketRoute({ protocols: [], origins }, (conn, start) => chat.serve(conn, start)),
);
// Then every route of the lessons before: /echo (HTTP and WebSocket), /precompressed, Part 3's
// routes, and the site, compressed.
const maxAge = Number(values['max-age']);
if (!Number.isInteger(maxAge) || maxAge < 0) throw new Error(`--max-age takes a whole number of seconds; received ${values['max-age']}.`);
const files = serveFiles(root, answerEncoded({ maxAge }));
const app = websocketApp(
  values.log ? logged(files) : files,
  { protocols: ['chat'], origins },
  async (conn, start) => {
    const socket = new WebSocket(conn, { maxMessageBytes: number('max-message'), closeTimeoutMs: number('close-timeout') });
    socket.onMessage = (message) => socket.send(message.data);
    await socket.serve(start);
  },
  router,
);

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveConnection(conn, app, { idleTimeoutMs: number('idle-timeout'), framing: HTTP11_FRAMING })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`Chat server listening: open http://${host}:${port}/ in a browser (WebSocket at ws://${host}:${port}/chat)`);
});

async function shutdown(signal: string): Promise<void> {
  console.log(`${signal}: closing every connection with 1001 (going away)`);
  server.close();
  await chat.shutdown();
  process.exit(0);
}
process.once('SIGINT', (signal) => void shutdown(signal));
process.once('SIGTERM', (signal) => void shutdown(signal));

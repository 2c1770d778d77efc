// websocket-chat: the whole server, the sum of the lessons. GET / is the chat's page (page.ts,
// public/), /chat the WebSocket endpoint where your Chat (chat.ts) serves each connection through
// your queue (send-queue.ts); every route of the lessons before still answers: the site (its front
// page at /index.html) with ranges, validators and compression, uploads to /echo in both framings,
// the WebSocket echo at /echo, the streaming demos (app.ts builds it all). This file parses the
// flags and listens. SIGINT and SIGTERM shut it down gracefully: every member gets a close frame
// 1001 before the process exits. Written for you; it stays as it is.
// Run: npx learn run websocket-chat --port 3000, then open http://127.0.0.1:3000/ in two windows
//      [-- --root DIR --log --origin http://…]
// Check: npx learn check websocket-chat

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { HTTP11_FRAMING } from '../12-chunked-request/framing.ts';
import { serveConnection } from '../17-websocket-handshake/connection.ts';
import { chatApp, DEFAULT_CHAT, DEFAULT_ROOT } from './app.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'idle-timeout': { type: 'string', default: '5000' },
    'max-message': { type: 'string', default: String(DEFAULT_CHAT.maxMessageBytes) },
    // Bytes that may wait for one member before it is dropped as too slow.
    'max-queue': { type: 'string', default: String(DEFAULT_CHAT.maxQueueBytes) },
    'close-timeout': { type: 'string', default: String(DEFAULT_CHAT.closeTimeoutMs) },
    'ping-interval': { type: 'string', default: String(DEFAULT_CHAT.pingIntervalMs) },
    history: { type: 'string', default: String(DEFAULT_CHAT.historySize) },
    origin: { type: 'string', multiple: true },
    // The site of Part 4 and 5, compression's sample folder unless told otherwise.
    root: { type: 'string', default: DEFAULT_ROOT },
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

const root = path.resolve(values.root);
if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--root must name a folder; ${root} is not one.`);
const maxAge = Number(values['max-age']);
if (!Number.isInteger(maxAge) || maxAge < 0) throw new Error(`--max-age takes a whole number of seconds; received ${values['max-age']}.`);

const { app, chat } = chatApp({
  root,
  maxAgeSeconds: maxAge,
  log: values.log,
  origins: values.origin?.map((origin) => origin.toLowerCase()),
  chat: {
    maxMessageBytes: number('max-message'),
    maxQueueBytes: number('max-queue'),
    closeTimeoutMs: number('close-timeout'),
    pingIntervalMs: number('ping-interval'),
    historySize: number('history'),
  },
});

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

// websocket-chat: the chat server. GET / is the chat's page (page.ts, public/), /chat the
// WebSocket endpoint where your Chat (chat.ts) serves each connection through your queue
// (send-queue.ts). SIGINT and SIGTERM shut it down gracefully: every member gets a close frame
// 1001 before the process exits. Written for you; it stays as it is.
// Run: npx learn run websocket-chat --port 3000, then open http://127.0.0.1:3000/ in two windows.
// Check: npx learn check websocket-chat

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { Router } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { serveConnection } from '../17-websocket-handshake/connection.ts';
import { websocketRoute } from '../17-websocket-handshake/upgrade.ts';
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

const router = new Router<Request>();
for (const path of PAGE_PATHS) router.add('GET', path, () => page(path));
router.add(
  '*',
  '/chat',
  websocketRoute({ protocols: [], origins: values.origin?.map((o) => o.toLowerCase()) }, (conn, start) => chat.serve(conn, start)),
);

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveConnection(conn, router, { idleTimeoutMs: number('idle-timeout') })
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

// chunked-response: the keep-alive server, now with bodies of unknown length. /sheep counts sheep
// as they come, /pieces sends a fixed list of pieces (some of them empty), /stream a long stream,
// and /broken one that fails half way. Your writer in chunked.ts frames them, called by your loop
// from keep-alive. This file declares the routes and listens, and it stays as it is.
// Run: npx learn run chunked-response --port 3000     Then: curl -N http://127.0.0.1:3000/sheep
// Check: npx learn check chunked-response

import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { fieldValues } from '../07-http-request-head/request-head.ts';
import { json, text } from '../08-http-response/response.ts';
import { METHODS, Router } from '../08-http-response/router.ts';
import { openBody, type Request } from '../09-http-body/body.ts';
import { serveConnection, type MessageFraming } from '../10-keep-alive/connection.ts';
import { writeResponse } from './chunked.ts';
import { addStreamingRoutes } from './routes.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'idle-timeout': { type: 'string', default: '5000' },
  },
});
const port = Number(values.port);
const host = values.host;
const idleTimeoutMs = Number(values['idle-timeout']);
if (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs <= 0)
  throw new Error(`--idle-timeout takes a number of milliseconds; received ${values['idle-timeout']}.`);

const MiB = 1024 * 1024;

const router = addStreamingRoutes(
  new Router<Request>()
    .add('GET', '/', () => text(200, 'Hello, world!\n'))
    .add('GET', '/greeting', () => text(200, 'Grüße aus Köln — 你好, 世界 👋\n'))
    .add('*', '/inspect', async ({ head, body }) => {
      let bodyLength = 0;
      for await (const piece of body) bodyLength += piece.length;
      return json(200, { ...head, bodyLength });
    })
    .add(
      'POST',
      '/echo',
      ({ head, body }) => ({
        status: 200,
        headers: [['Content-Type', fieldValues(head.headers, 'content-type')[0] ?? 'application/octet-stream']],
        body,
      }),
      { maxBodyBytes: 16 * MiB },
    )
    .add('GET', '/slow', async () => {
      await sleep(50);
      return text(200, 'Sorry to keep you waiting.\n');
    })
    // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7): the methods it implements.
    .add('OPTIONS', '*', () => ({ status: 204, headers: [['Allow', METHODS.join(', ')]] })),
);

// The message layer this server gives keep-alive's loop: http-body's reader (bodies have a
// Content-Length until chunked-request), and your writer, which frames bodies of unknown length.
const framing: MessageFraming = { openBody, writeResponse };

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  // Your loop from keep-alive, with your writer from chunked.ts.
  serveConnection(conn, router, { idleTimeoutMs, framing })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`HTTP server (chunked-response) listening on http://${host}:${port}/ (idle timeout ${idleTimeoutMs} ms)`);
});

// keep-alive: the whole server. Every connection is served by your loop in connection.ts, which
// uses your parser (http-request-head), writer and router (http-response) and body reader (http-body). This file
// declares the routes and listens, and it stays as it is.
// Run: npx learn run keep-alive --port 3000 [--idle-timeout 5000] [--head-timeout 60000]
//      Then: curl -v http://127.0.0.1:3000/ http://127.0.0.1:3000/greeting
// Check: npx learn check keep-alive

import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { fieldValues } from '../07-http-request-head/request-head.ts';
import { json, text, type StreamedBody } from '../08-http-response/response.ts';
import { METHODS, Router } from '../08-http-response/router.ts';
import type { BodyReader, Request } from '../09-http-body/body.ts';
import { serveConnection } from './connection.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    // node:http closes idle keep-alive connections after 5 s too.
    'idle-timeout': { type: 'string', default: '5000' },
    // A head must be complete this long after its first byte: node:http's headersTimeout.
    'head-timeout': { type: 'string', default: '60000' },
  },
});
const port = Number(values.port);
const host = values.host;
const idleTimeoutMs = Number(values['idle-timeout']);
if (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs <= 0)
  throw new Error(`--idle-timeout takes a number of milliseconds; received ${values['idle-timeout']}.`);
const headTimeoutMs = Number(values['head-timeout']);
if (!Number.isInteger(headTimeoutMs) || headTimeoutMs <= 0)
  throw new Error(`--head-timeout takes a number of milliseconds; received ${values['head-timeout']}.`);

const MiB = 1024 * 1024;

const router = new Router<Request>()
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
    async ({ head, body }) => ({
      status: 200,
      headers: [['Content-Type', fieldValues(head.headers, 'content-type')[0] ?? 'application/octet-stream']],
      body: await started(body),
    }),
    { maxBodyBytes: 16 * MiB },
  )
  // Takes its time, like a handler waiting for a database: requests pipelined behind it wait.
  .add('GET', '/slow', async () => {
    await sleep(50);
    return text(200, 'Sorry to keep you waiting.\n');
  })
  // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7): the methods it implements.
  .add('OPTIONS', '*', () => ({ status: 204, headers: [['Allow', METHODS.join(', ')]] }));

/**
 * The body, with its first piece read before the answer begins (as in http-body): a client that
 * sent "Expect: 100-continue" hears the 100 before the 200, not in the middle of it.
 */
async function started(body: BodyReader): Promise<StreamedBody> {
  const first = await body.read();
  return {
    length: body.length,
    async *[Symbol.asyncIterator]() {
      if (first.length > 0) yield first;
      yield* body;
    },
  };
}

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveConnection(conn, router, { idleTimeoutMs, headTimeoutMs })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`HTTP server (keep-alive) listening on http://${host}:${port}/ (idle timeout ${idleTimeoutMs} ms, head timeout ${headTimeoutMs} ms)`);
});

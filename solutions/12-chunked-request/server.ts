// chunked-request: the server of chunked-response, now reading chunked request bodies too, with
// your reader in chunked-body.ts. POST (or PUT) /echo sends a chunked body back in chunks as it
// arrives; /inspect reports a body's length and its trailer fields. Your loop from keep-alive runs
// it all, with your writer from chunked-response. This file stays as it is.
// Run: npx learn run chunked-request --port 3000     Then: echo hello | curl -T - http://127.0.0.1:3000/echo
// Check: npx learn check chunked-request

import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { fieldValues } from '../07-http-request-head/request-head.ts';
import { json, text, type StreamedBody } from '../08-http-response/response.ts';
import { Router } from '../08-http-response/router.ts';
import type { Request as LengthRequest } from '../09-http-body/body.ts';
import { serveConnection, type ConnectionOptions } from '../10-keep-alive/connection.ts';
import { writeResponse, type BodySource, type StreamingResponse } from '../11-chunked-response/chunked.ts';
import { openBody, type Request } from './chunked-body.ts';
import { addStreamingRoutes, streaming } from '../11-chunked-response/routes.ts';

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

/**
 * The body goes back as it arrives: in chunks when it came in chunks, with its Content-Length when
 * it had one. The first piece is read before answering, so that a body broken from its first byte
 * still gets a 400, and a client that waits for 100 Continue gets it before the 200.
 */
async function echo({ head, body }: Request): Promise<StreamingResponse> {
  const first = await body.read();
  async function* firstThenRest(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    yield* body;
  }
  const echoed: BodySource | StreamedBody =
    'length' in body ? { length: body.length, [Symbol.asyncIterator]: firstThenRest } : { [Symbol.asyncIterator]: firstThenRest };
  return { status: 200, headers: [['Content-Type', fieldValues(head.headers, 'content-type')[0] ?? 'application/octet-stream']], body: echoed };
}

const router = addStreamingRoutes(
  new Router<Request>()
    .add('GET', '/', () => text(200, 'Hello, world!\n'))
    .add('GET', '/greeting', () => text(200, 'Grüße aus Köln — 你好, 世界 👋\n'))
    // The head, the body's length, and the trailer fields of a chunked body.
    .add('*', '/inspect', async ({ head, body }) => {
      let bodyLength = 0;
      for await (const piece of body) bodyLength += piece.length;
      return json(200, { ...head, bodyLength, trailers: 'trailers' in body ? body.trailers : [] });
    })
    // curl -T uploads with PUT.
    .add('POST', '/echo', streaming(echo), { maxBodyBytes: 16 * MiB })
    .add('PUT', '/echo', streaming(echo), { maxBodyBytes: 16 * MiB })
    .add('GET', '/slow', async () => {
      await sleep(50);
      return text(200, 'Sorry to keep you waiting.\n');
    }),
);

// keep-alive's loop is typed for http-body's requests, whose body is a BodyReader. A ChunkedBodyReader
// is read the same way (read(), remaining, for await), which is all the loop does with a body: these
// two casts only tell TypeScript so.
const routes = router as unknown as Router<LengthRequest>;
const openChunkedOrLength = openBody as ConnectionOptions['openBody'];

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  // Your loop from keep-alive, with your writer from chunked-response and your reader from
  // chunked-body.ts.
  serveConnection(conn, routes, { idleTimeoutMs, writeResponse, openBody: openChunkedOrLength })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`HTTP server (chunked-request) listening on http://${host}:${port}/ (idle timeout ${idleTimeoutMs} ms)`);
});

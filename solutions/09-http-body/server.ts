// http-body: the server of http-response, now with request bodies: POST /echo sends the body straight
// back as it arrives, and /inspect counts it. Still one request per connection. Your work is in
// body.ts; this file wires it to your parser (http-request-head) and your writer and router (http-response),
// and it stays as it is.
// Run: npx learn run http-body --port 3000     Then: curl -v --data-binary 'hello' http://127.0.0.1:3000/echo
// Check: npx learn check http-body

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
// Your parser (http-request-head), your writer and router (http-response).
import { BufferedReader } from '../07-http-request-head/reader.ts';
import { HttpError, fieldValues, readRequestHead } from '../07-http-request-head/request-head.ts';
import { json, text, writeResponse, type Response, type StreamedBody } from '../08-http-response/response.ts';
import { METHODS, Router } from '../08-http-response/router.ts';
import { openBody, type BodyReader, type Request } from './body.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
const host = values.host;

const MiB = 1024 * 1024;

const router = new Router<Request>()
  .add('GET', '/', () => text(200, 'Hello, world!\n'))
  .add('GET', '/greeting', () => text(200, 'Grüße aus Köln — 你好, 世界 👋\n'))
  // The request head as parsed, and how many bytes of body came with it.
  .add('*', '/inspect', async ({ head, body }) => {
    let bodyLength = 0;
    for await (const piece of body) bodyLength += piece.length;
    return json(200, { ...head, bodyLength });
  })
  // The body goes back as it arrives: the request body is the response body.
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
  // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7): the methods it implements.
  .add('OPTIONS', '*', () => ({ status: 204, headers: [['Allow', METHODS.join(', ')]] }));

/**
 * The body, with its first piece read before the answer begins. A client that sent "Expect:
 * 100-continue" sends nothing until the body reader's 100 Continue, and that must come before the
 * 200, not in the middle of it; and a body that never starts is still a 400, not a 200 cut short.
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

/** Answers one request, then closes: reusing a connection is keep-alive's subject. */
async function serveOneRequest(conn: Conn): Promise<void> {
  const reader = new BufferedReader(conn);
  let response: Response;
  let headOnly = false;
  try {
    const head = await readRequestHead(reader);
    if (head === undefined) return; // the client left without asking anything
    headOnly = head.method === 'HEAD';
    const route = router.match(head.method, head.target);
    const body = openBody(head, reader, route.maxBodyBytes);
    response = await route.handler({ head, body });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    response = text(error.status, `${error.message}\n`);
  }
  // An error from here on (the client left mid-body, say) comes after the head is out: the only
  // honest answer left is to close the connection, which the caller does.
  await writeResponse(conn, response, { headOnly, connection: 'close' });
}

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveOneRequest(conn)
    .then(() => closeLingering(conn))
    .catch((error: Error) => console.log(`${peer} error: ${error.message}`))
    .finally(() => conn.destroy());
});

/** How long a closing connection goes on reading what the client still sends. */
const LINGER_MS = 5000;

/**
 * Closes as line-protocol does (a lingering close): FIN once the response is out, then read and
 * drop whatever the client still sends until it closes too, for at most LINGER_MS. A socket closed
 * with bytes unread, or sent bytes after it closed, answers with a reset (RFC 1122 §4.2.2.13), and
 * a reset can destroy the response before the client has read it: a client that sent a second
 * request right behind the first (pipelining) would lose the answer to the first.
 */
async function closeLingering(conn: Conn): Promise<void> {
  await conn.end();
  const timer = setTimeout(() => conn.destroy(), LINGER_MS);
  try {
    while ((await conn.read()).length > 0);
  } catch {
    // Reset by the client: there is nothing left to wait for.
  } finally {
    clearTimeout(timer);
  }
}

server.listen(port, host, () => {
  console.log(`HTTP server (http-body) listening on http://${host}:${port}/`);
});

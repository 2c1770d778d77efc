// http-response: the server of http-request-head, now answering through a router and a response writer. It still
// serves one request per connection. Your work is in response.ts and router.ts; this file wires
// them to your head parser from http-request-head, and it stays as it is.
// Run: npx learn run http-response --port 3000     Then: curl -v http://127.0.0.1:3000/greeting
// Check: npx learn check http-response

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
// Your parser, from http-request-head.
import { BufferedReader } from '../07-http-request-head/reader.ts';
import { HttpError, readRequestHead } from '../07-http-request-head/request-head.ts';
import { json, text, writeResponse, type Response } from './response.ts';
import { METHODS, Router } from './router.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
const host = values.host;

const router = new Router()
  .add('GET', '/', () => text(200, 'Hello, world!\n'))
  // Two-, three- and four-byte UTF-8 characters: 26 characters (27 UTF-16 units), 42 bytes.
  .add('GET', '/greeting', () => text(200, 'Grüße aus Köln — 你好, 世界 👋\n'))
  // What http-request-head's server answered to everything: the request head, as parsed.
  .add('*', '/inspect', (head) => json(200, head))
  // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7): the methods it implements.
  .add('OPTIONS', '*', () => ({ status: 204, headers: [['Allow', METHODS.join(', ')]] }));

/** Answers one request, then closes: reusing a connection is keep-alive's subject. */
async function serveOneRequest(conn: Conn): Promise<void> {
  let response: Response;
  let headOnly = false;
  try {
    const head = await readRequestHead(new BufferedReader(conn));
    if (head === undefined) return; // the client left without asking anything
    headOnly = head.method === 'HEAD';
    response = await router.match(head.method, head.target).handler(head);
  } catch (error) {
    // A request we cannot serve: its error becomes the response.
    if (!(error instanceof HttpError)) throw error;
    response = text(error.status, `${error.message}\n`);
  }
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
  console.log(`HTTP server (http-response) listening on http://${host}:${port}/`);
});

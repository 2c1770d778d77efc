// http-request-head: an HTTP server that reads one request head per connection and answers with what it
// parsed, as JSON, so that you (and the checks) can see the parse from outside. Bad requests get
// their error status. The parsing is yours, in request-head.ts and reader.ts; this file only
// wires it to the network, and it stays as it is.
// Run: npx learn run http-request-head --port 3000     Then: curl -v http://127.0.0.1:3000/
// Check: npx learn check http-request-head

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { BufferedReader } from './reader.ts';
import { HttpError, readRequestHead } from './request-head.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
const host = values.host;

/** Answers one request, then closes: reusing a connection is keep-alive's subject. */
async function serveOneRequest(conn: Conn): Promise<void> {
  let response: Buffer;
  try {
    const head = await readRequestHead(new BufferedReader(conn));
    if (head === undefined) return; // the client left without asking anything
    response = plainResponse(200, 'OK', 'application/json', `${JSON.stringify(head, null, 2)}\n`);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    response = plainResponse(error.status, REASONS[error.status] ?? 'Error', 'text/plain; charset=utf-8', `${error.message}\n`);
  }
  await conn.write(response);
}

/**
 * A response, written out by hand (http-response builds a proper writer). Content-Length counts the
 * body's bytes; `Connection: close` says that we close after it.
 */
function plainResponse(status: number, reason: string, type: string, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const head = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  505: 'HTTP Version Not Supported',
};

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
  console.log(`HTTP server (http-request-head) listening on http://${host}:${port}/`);
});

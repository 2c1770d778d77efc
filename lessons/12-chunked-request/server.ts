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
import { Router, type Handler } from '../08-http-response/router.ts';
import type { Request as LengthRequest } from '../09-http-body/body.ts';
import { serveConnection, type ConnectionOptions } from '../10-keep-alive/connection.ts';
import { writeResponse, type BodySource, type StreamingResponse } from '../11-chunked-response/chunked.ts';
import { openBody, type Request } from './chunked-body.ts';

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
 * http-response's Router expects its handlers to return http-response's Response, whose bodies all
 * have a length. These routes return a BodySource instead, which your writer takes: this only tells
 * TypeScript so.
 */
function streaming(handler: (request: Request) => StreamingResponse | Promise<StreamingResponse>): Handler<Request> {
  return handler as Handler<Request>;
}

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

/** `?name=` of a request-target as an integer within [min, max]; `fallback` when absent, undefined when invalid. */
function queryInt(target: string, name: string, min: number, max: number, fallback: number): number | undefined {
  const raw = new URL(target, 'http://localhost').searchParams.get(name);
  if (raw === null) return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  return value >= min && value <= max ? value : undefined;
}

/** The counting-sheep demo: a line now, then one every `intervalMs`, `n` lines in all. */
async function* countSheep(n: number, intervalMs: number): AsyncGenerator<string> {
  let counted = 0;
  try {
    for (let i = 1; i <= n; i++) {
      if (i > 1) await sleep(intervalMs);
      counted = i;
      yield `${i} sheep\n`;
    }
  } finally {
    // Runs when the writer stops asking for more (the client left) as well as at the end.
    if (counted < n) console.log(`/sheep stopped after ${counted} of ${n} sheep: nobody is listening any more.`);
  }
}

/** The pieces of /pieces: empty ones among them, a string whose length in characters is not its length in bytes. */
const PIECES: Array<string | Buffer> = [
  Buffer.from('Hello, chunks!\n'),
  '',
  'Grüße — 👋\n',
  Buffer.alloc(0),
  Buffer.from(Array.from({ length: 255 }, (_, i) => i)),
  Buffer.alloc(4096, 0x2e),
  'done\n',
];

async function* pieces(): AsyncGenerator<string | Buffer> {
  for (const piece of PIECES) yield piece;
}

/** `count` pieces of 64 KiB, each starting with a line that says which it is and when it was made. */
async function* stream(count: number): AsyncGenerator<Buffer> {
  for (let i = 1; i <= count; i++) {
    const piece = Buffer.alloc(64 * 1024, 0x2e);
    piece.write(`piece ${i} of ${count} made at ${Date.now()}\n`, 'latin1');
    yield piece;
  }
}

/** A source that fails a moment after two pieces, as a database cursor or a file on a failing disk might. */
async function* broken(): AsyncGenerator<string> {
  yield 'first piece\n';
  yield 'second piece\n';
  await sleep(200);
  throw new Error('/broken failed after two pieces, on purpose');
}

const router = new Router<Request>()
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
  })
  // ?n= sheep (1 to 1000, default 5), one every ?interval= ms (0 to 10000, default 1000).
  .add(
    'GET',
    '/sheep',
    streaming(({ head }) => {
      const n = queryInt(head.target, 'n', 1, 1000, 5);
      const interval = queryInt(head.target, 'interval', 0, 10_000, 1000);
      if (n === undefined || interval === undefined) return text(400, 'Count 1 to 1000 sheep (?n=), one every 0 to 10000 ms (?interval=).\n');
      return { status: 200, headers: [['Content-Type', 'text/plain; charset=utf-8']], body: countSheep(n, interval) };
    }),
  )
  .add(
    'GET',
    '/pieces',
    streaming(() => ({ status: 200, headers: [['Content-Type', 'application/octet-stream']], body: pieces() })),
  )
  // ?mib= MiB (1 to 256, default 64) in pieces of 64 KiB.
  .add(
    'GET',
    '/stream',
    streaming(({ head }) => {
      const mib = queryInt(head.target, 'mib', 1, 256, 64);
      if (mib === undefined) return text(400, 'Ask for 1 to 256 MiB (?mib=).\n');
      return { status: 200, headers: [['Content-Type', 'application/octet-stream']], body: stream(mib * 16) };
    }),
  )
  .add(
    'GET',
    '/broken',
    streaming(() => ({ status: 200, headers: [['Content-Type', 'text/plain']], body: broken() })),
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

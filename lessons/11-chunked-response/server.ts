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
import { Router, type Handler } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { serveConnection } from '../10-keep-alive/connection.ts';
import { writeResponse, type StreamingResponse } from './chunked.ts';

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

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  // Your loop from keep-alive, with your writer from chunked.ts.
  serveConnection(conn, router, { idleTimeoutMs, writeResponse })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`HTTP server (chunked-response) listening on http://${host}:${port}/ (idle timeout ${idleTimeoutMs} ms)`);
});

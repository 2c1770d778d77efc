// The demo routes of the streaming lessons, shared by their servers (chunked-response,
// chunked-request, compression): sources of pieces that a writer must frame as they come. Each is
// an async generator, so a writer that stops asking (the client left) stops it too. This file
// stays as it is.

import { setTimeout as sleep } from 'node:timers/promises';
import { text } from '../08-http-response/response.ts';
import type { Handler, Router } from '../08-http-response/router.ts';
import type { StreamingResponse } from './chunked.ts';

/**
 * http-response's Router expects its handlers to return http-response's Response, whose bodies all
 * have a length. These routes return a BodySource instead, which your writer takes: this only tells
 * TypeScript so.
 */
export function streaming<R>(handler: (request: R) => StreamingResponse | Promise<StreamingResponse>): Handler<R> {
  return handler as Handler<R>;
}

/** `?name=` of a request-target as an integer within [min, max]; `fallback` when absent, undefined when invalid. */
export function queryInt(target: string, name: string, min: number, max: number, fallback: number): number | undefined {
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

/** Adds /sheep, /pieces, /stream and /broken to a router whose requests have a head. */
export function addStreamingRoutes<R extends { head: { target: string } }>(router: Router<R>): Router<R> {
  return (
    router
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
      )
  );
}

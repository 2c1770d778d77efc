// chunked-request: the application of Part 3, every route of keep-alive, chunked-response and this
// lesson, as handlers from a request to a response. Nothing here touches a socket or writes a byte
// of HTTP/1.1: the connection (keep-alive's loop) and the framing (framing.ts) do. The servers of
// the lessons after this one add their routes to these. Written for you; it stays as it is.

import { setTimeout as sleep } from 'node:timers/promises';
import { fieldValues } from '../07-http-request-head/request-head.ts';
import { json, text, type StreamedBody } from '../08-http-response/response.ts';
import { METHODS, Router } from '../08-http-response/router.ts';
import type { BodySource, StreamingResponse } from '../11-chunked-response/chunked.ts';
import { addStreamingRoutes, streaming } from '../11-chunked-response/routes.ts';
import type { Request as LengthRequest } from '../09-http-body/body.ts';
import type { Request } from './chunked-body.ts';

const MiB = 1024 * 1024;

/**
 * The body goes back as it arrives: in chunks when it came in chunks, with its Content-Length when
 * it had one. The first piece is read before answering, so that a body broken from its first byte
 * still gets a 400, and a client that waits for 100 Continue gets it before the 200.
 */
export async function echo({ head, body }: Request): Promise<StreamingResponse> {
  const first = await body.read();
  async function* firstThenRest(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    yield* body;
  }
  const echoed: BodySource | StreamedBody =
    'length' in body ? { length: body.length, [Symbol.asyncIterator]: firstThenRest } : { [Symbol.asyncIterator]: firstThenRest };
  return { status: 200, headers: [['Content-Type', fieldValues(head.headers, 'content-type')[0] ?? 'application/octet-stream']], body: echoed };
}

/**
 * Adds every route of Part 3 but `/` (which the file server of Part 4 takes over): /greeting,
 * /inspect, /echo, /slow, the streaming demos (/sheep, /pieces, /stream, /broken), and OPTIONS *.
 * A router of http-body's requests takes these handlers: each of them takes any Request, whose
 * body may be chunked, so it takes a request whose body has a Content-Length too.
 */
export function addPartThreeRoutes<T extends Router<LengthRequest>>(router: T): T {
  router
    .add('GET', '/greeting', () => text(200, 'Grüße aus Köln — 你好, 世界 👋\n'))
    // The head, the body's length, and the trailer fields of a chunked body.
    .add('*', '/inspect', async ({ head, body }: Request) => {
      let bodyLength = 0;
      for await (const piece of body) bodyLength += piece.length;
      return json(200, { ...head, bodyLength, trailers: 'trailers' in body ? body.trailers : [] });
    })
    // curl -T uploads with PUT.
    .add('POST', '/echo', streaming(echo), { maxBodyBytes: 16 * MiB })
    .add('PUT', '/echo', streaming(echo), { maxBodyBytes: 16 * MiB })
    // Takes its time, like a handler waiting for a database: requests pipelined behind it wait.
    .add('GET', '/slow', async () => {
      await sleep(50);
      return text(200, 'Sorry to keep you waiting.\n');
    })
    // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7): the methods it implements.
    // (A method it does not implement is the router's 501; "*" with any other method is the
    // parser's 400, RFC 9112 §3.2.4.)
    .add('OPTIONS', '*', () => ({ status: 204, headers: [['Allow', METHODS.join(', ')]] }));
  addStreamingRoutes(router);
  return router;
}

/** This lesson's application: Part 3's routes, and `/`. */
export function chunkedRequestApp(): Router<LengthRequest> {
  return addPartThreeRoutes(new Router<LengthRequest>().add('GET', '/', () => text(200, 'Hello, world!\n')));
}

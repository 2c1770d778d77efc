// http-response: a tiny router: which handler answers a request, from its method and path. A path it
// doesn't know is a 404; a path it knows, asked with a method it doesn't take, is a 405.

import type { RequestHead } from '../07-http-request-head/request-head.ts';
import { text, type Response } from './response.ts';

/** Answers one request. R is what a handler gets: the head here, more in later lessons. */
export type Handler<R> = (request: R) => Response | Promise<Response>;

export interface Route<R> {
  /** An uppercase method, or `*` for any. */
  method: string;
  path: string;
  handler: Handler<R>;
  /** The largest request body this route accepts (used from http-body on). */
  maxBodyBytes?: number;
}

/**
 * The methods this server implements: those of RFC 9110 §9.3 but CONNECT (it is no proxy), and
 * PATCH (RFC 5789). Methods are case-sensitive: "get" is not one of them.
 */
export const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'];

export class Router<R = RequestHead> {
  private readonly routes: Array<Route<R>> = [];

  /** Adds a route: `router.add('GET', '/', () => text(200, 'hello\n'))`. */
  add(method: string, path: string, handler: Handler<R>, options: { maxBodyBytes?: number } = {}): this {
    this.routes.push({ method, path, handler, ...options });
    return this;
  }

  /** The route for a request: a matching one, or one that answers 501, 404 or 405. */
  match(method: string, target: string): Route<R> {
    // TODO: a method not in METHODS (compared exactly: methods are case-sensitive): a route
    //       whose handler answers 501, wherever it was sent. Otherwise find the routes whose
    //       path equals pathOf(target).
    //       - none: return a route whose handler answers 404 with a short text body;
    //       - one takes this method (or '*'; a GET route also takes HEAD): return it;
    //       - otherwise: a route whose handler answers 405, with an Allow field listing the
    //         methods this path does take (GET implies HEAD).
    void this.routes;
    return { method, path: target, handler: () => text(501, 'Router.match is not written yet (TODO in router.ts).\n') };
  }
}

/**
 * The path of a request-target (RFC 9112 §3.2): `/a/b?x=1` → `/a/b`. A server must also accept the
 * absolute form, `http://host/a/b?x=1`, which proxies send.
 */
export function pathOf(target: string): string {
  // TODO: for /path?query: the part before "?". For http://host/path?query: new URL(target).pathname.
  //       Anything else (`*`, host:port): the target itself.
  return target;
}

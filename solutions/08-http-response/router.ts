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
    const path = pathOf(target);
    // RFC 9110 §9.1: a method the server does not implement is a 501 wherever it is sent: the
    // fault is the method, not the path.
    if (!METHODS.includes(method)) {
      return { method, path, handler: () => text(501, `This server does not implement the method ${method}; methods are case-sensitive.\n`) };
    }
    const onPath = this.routes.filter((route) => route.path === path);
    if (onPath.length === 0) {
      return { method, path, handler: () => text(404, `Nothing here: ${path}\n`) };
    }
    // RFC 9110 §9.3.2: HEAD is GET without the body, so a GET route answers HEAD too.
    const wanted = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    const found = onPath.find((route) => route.method === '*' || wanted.includes(route.method));
    if (found) return found;
    // RFC 9110 §15.5.6: a 405 MUST list the methods the resource does take, in Allow.
    const allowed = [...new Set(onPath.flatMap((route) => (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method])))];
    const response = text(405, `${method} is not allowed on ${path}; try ${allowed.join(' or ')}.\n`);
    response.headers!.push(['Allow', allowed.join(', ')]);
    return { method, path, handler: () => response };
  }
}

/**
 * The path of a request-target (RFC 9112 §3.2): `/a/b?x=1` → `/a/b`. A server must also accept the
 * absolute form, `http://host/a/b?x=1`, which proxies send.
 */
export function pathOf(target: string): string {
  if (target.startsWith('/')) {
    const query = target.indexOf('?');
    return query < 0 ? target : target.slice(0, query);
  }
  if (/^https?:\/\//i.test(target)) {
    try {
      return new URL(target).pathname;
    } catch {
      return target;
    }
  }
  return target; // `*` (OPTIONS) or host:port (CONNECT): no path to match
}

// static-files: http-response's Router with one addition: every path under a prefix goes to one
// handler, whatever the method the server implements (the handler answers 405 itself). A file server needs it: its paths
// are whatever files there are, not a list known in advance.

import { METHODS, Router, pathOf, type Handler, type Route } from '../08-http-response/router.ts';

export class MountRouter<R> extends Router<R> {
  private readonly paths = new Set<string>();
  private readonly mounts: Array<{ prefix: string; handler: Handler<R> }> = [];

  override add(method: string, path: string, handler: Handler<R>, options: { maxBodyBytes?: number } = {}): this {
    this.paths.add(path);
    return super.add(method, path, handler, options);
  }

  /** Sends every path that starts with `prefix` to `handler`: `router.mount('/', serveFiles(root))`. */
  mount(prefix: string, handler: Handler<R>): this {
    this.mounts.push({ prefix, handler });
    return this;
  }

  /**
   * A route added with add() first; else the longest mount whose prefix the path starts with. A
   * method the server does not implement is http-response's 501 wherever it is sent, mounts too:
   * one policy for the whole server (RFC 9110 §9.1), not a 405 from whichever handler is mounted.
   */
  override match(method: string, target: string): Route<R> {
    const path = pathOf(target);
    if (!this.paths.has(path) && METHODS.includes(method)) {
      const mount = this.mounts.filter((m) => path.startsWith(m.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
      if (mount) return { method: '*', path, handler: mount.handler };
    }
    return super.match(method, target);
  }
}

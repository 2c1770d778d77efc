// http2-server: which protocol serves a connection. On the TLS port, ALPN has decided by the time
// the handshake is done: h2 goes to lesson 24's Http2Connection, http/1.1 (or no ALPN at all) to
// the HTTP/1.1 loop of lesson 21. On the cleartext port, the client has prior knowledge (RFC 9113
// §3.3): every connection is HTTP/2 from its first byte. The application is the same one either
// way, and never learns which protocol carried a request.

import type net from 'node:net';
import type tls from 'node:tls';
import { Conn } from '../02-socket-promises/socket.ts';
import type { Application } from '../10-keep-alive/connection.ts';
import { withHsts } from '../21-https/plain-http.ts';
import { FrameType } from '../22-http2-frames/frame-reader.ts';
import { encodeFrame, encodeGoaway } from '../22-http2-frames/frame-writer.ts';
import type { Http2Options } from '../24-http2-streams/connection.ts';
import { inadequateSecurity } from './alpn.ts';
import type { Connections } from './shutdown.ts';

/** RFC 9113 §7: "the underlying transport has properties that do not meet minimum security requirements". */
export const INADEQUATE_SECURITY = 0xc;

/** What every connection is served with. */
export interface Site {
  /** The whole application: lesson 19's chat and every route before it. */
  app: Application;
  /** Every connection, for the shutdown. */
  connections: Connections;
  http2: Http2Options;
  /** HTTP/1.1's idle timeout. */
  idleTimeoutMs: number;
}

/** A TLS connection whose handshake is done: served by the protocol ALPN agreed on. */
export function serveTls(socket: tls.TLSSocket, site: Site): Promise<void> {
  // TODO: a connection that agreed on h2 is HTTP/2 (connections.serveHttp2, the application with
  // HSTS), unless inadequateSecurity(socket) says it may not be (refuseHttp2). Everything else,
  // a client with no ALPN included, is HTTP/1.1:
  const conn = new Conn(socket);
  return site.connections.serveHttp1(conn, site.app, { idleTimeoutMs: site.idleTimeoutMs, decorate: withHsts }).finally(() => conn.destroy());
}

/** A connection on the cleartext port: HTTP/2 with prior knowledge, never HSTS (RFC 6797 §7.2). */
export function serveH2c(socket: net.Socket, site: Site): Promise<void> {
  // TODO: every connection on this port speaks HTTP/2 from its first byte.
  void site;
  socket.destroy();
  return Promise.resolve();
}

/**
 * RFC 9113 §9.2.1: a connection that agreed on h2 with inadequate TLS gets a connection error
 * INADEQUATE_SECURITY. It is an HTTP/2 connection, so the server's preface (SETTINGS, §3.4) comes
 * first, then GOAWAY with Last-Stream-ID 0 (no stream was processed), then the close.
 */
export function refuseHttp2(socket: tls.TLSSocket, problem: string): Promise<void> {
  // TODO: SETTINGS, GOAWAY(0, INADEQUATE_SECURITY, problem), then the close (a FIN, not a reset).
  void problem;
  socket.destroy();
  return Promise.resolve();
}

/** The application with Strict-Transport-Security on every response (as withHsts, for HTTP/2). */
export function withHstsEverywhere(app: Application): Application {
  return {
    match(method, target) {
      const route = app.match(method, target);
      return { ...route, handler: async (request) => withHsts(await route.handler(request)) };
    },
  };
}

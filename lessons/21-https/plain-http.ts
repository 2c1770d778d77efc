// https: plain HTTP meets an HTTPS server in two places. On the TLS port, a client that forgot the
// "s" sends "GET / HTTP/1.1" where a handshake belongs: the first byte tells (lesson 20), and the
// client gets a plain-text 400 that it can read. On the plain-HTTP port, every request is sent to
// the https:// URL of the same resource. And every HTTPS response tells the browser to come back
// over HTTPS only (HSTS).

import net from 'node:net';
import type tls from 'node:tls';
import { Conn } from '../02-socket-promises/socket.ts';
import { fieldValues } from '../07-http-request-head/request-head.ts';
import { text, type Response } from '../08-http-response/response.ts';
import { Router, type Route } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { serveConnection } from '../10-keep-alive/connection.ts';

/** RFC 8446 §5.1: the content type of a record that carries a handshake message. */
export const HANDSHAKE_RECORD = 22;

/**
 * RFC 6797 §6.1: max-age in seconds. One day: long enough to matter, short enough that a mistake
 * on a development name (a browser that then refuses http://localhost for other projects) wears
 * off by tomorrow. A production site uses a year or more, and includeSubDomains only when every
 * subdomain speaks HTTPS.
 */
export const HSTS = 'max-age=86400';

const REFUSAL_BODY = 'This port speaks HTTPS: ask for https:// instead of http://.\n';

/** What a client that speaks plain HTTP on the TLS port gets (nginx answers the same with 497). */
export const PLAIN_HTTP_REFUSAL =
  'HTTP/1.1 400 Bad Request\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\n' +
  `Content-Length: ${Buffer.byteLength(REFUSAL_BODY)}\r\n` +
  'Connection: close\r\n' +
  '\r\n' +
  REFUSAL_BODY;

/**
 * Takes each raw connection on the TLS port: reads its first bytes, and either hands it to the
 * TLS server (the bytes put back first) or answers plain HTTP with the 400 and closes. A client
 * that sends nothing within `deadlineMs` is cut here: the TLS server's own handshake deadline
 * starts only when it is given the socket.
 */
export function acceptTlsOrRefuse(socket: net.Socket, tlsServer: tls.Server, deadlineMs: number): void {
  // TODO: a deadline for the first byte; read the first bytes; a handshake record (22) goes to
  // the TLS server with the bytes put back (unshift), anything else gets PLAIN_HTTP_REFUSAL and
  // a close. For now every connection goes to the TLS server as it is.
  void deadlineMs;
  tlsServer.emit('connection', socket);
}

/**
 * The TLS port: a plain TCP listener that looks at each connection's first byte before TLS does.
 * A TLSSocket made from a socket handed to the TLS server keeps that socket's settings, so these
 * are the ones the connection loop runs with.
 */
export function createTlsPort(tlsServer: tls.Server, deadlineMs: number): net.Server {
  // TODO: the socket options the connection loop needs (lesson 19's server.ts gives them to its
  // net.createServer).
  return net.createServer((socket) => acceptTlsOrRefuse(socket, tlsServer, deadlineMs));
}

/** Adds Strict-Transport-Security to a response sent over HTTPS (RFC 6797 §7.1; never over HTTP, §7.2). */
export function withHsts(response: Response): Response {
  // TODO: add the field.
  return response;
}

/**
 * The https:// URL for a request that came over plain HTTP: the Host's name with the HTTPS port
 * (the one in Host is the plain port), and the request-target as it came, path and query.
 */
export function httpsLocation(head: Request['head'], httpsPort: number): string | undefined {
  // TODO: https:// + the Host field's name + the HTTPS port + the request-target.
  void head;
  void httpsPort;
  return undefined;
}

/**
 * Every request gets 308 Permanent Redirect (RFC 9110 §15.4.9): unlike 301 and 302, a client must
 * repeat the same method and body at the new URL, so a POST stays a POST.
 */
class RedirectToHttps extends Router<Request> {
  constructor(private readonly httpsPort: number) {
    super();
  }

  override match(method: string, target: string): Route<Request> {
    return {
      method,
      path: target,
      handler: ({ head }) => {
        // TODO: 308 with the Location from httpsLocation (400 when there is none).
        void httpsLocation(head, this.httpsPort);
        return text(501, 'The redirect to https:// is not written yet (TODO in plain-http.ts).\n');
      },
    };
  }
}

/** Serves one plain-HTTP connection: every request is redirected to HTTPS on `httpsPort`. */
export function serveRedirects(socket: net.Socket, httpsPort: number): Promise<void> {
  const conn = new Conn(socket);
  return serveConnection(conn, new RedirectToHttps(httpsPort), { idleTimeoutMs: 5000 }).finally(() => conn.destroy());
}

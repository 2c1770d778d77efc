// Lesson 20: a TLS passthrough router. It reads each connection's ClientHello without decrypting
// anything, picks a backend by the server name the client asked for (SNI), and relays the
// connection to it untouched: the TLS handshake happens between the client and the backend.
// Run: npx tsx server.ts --port 8443 --route a.test=127.0.0.1:9001 --default 127.0.0.1:9002
// Check: npx learn check sni-router

import net from 'node:net';
import { parseArgs } from 'node:util';
import { ClientHelloReader, HelloError } from './client-hello.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8443' },
    host: { type: 'string', default: '127.0.0.1' },
    /** NAME=HOST:PORT, once per backend. */
    route: { type: 'string', multiple: true, default: [] },
    /** HOST:PORT for a hello with no server name, or a name with no route. */
    default: { type: 'string' },
    /** How long a client may take to send its whole ClientHello, in ms. */
    'hello-timeout': { type: 'string', default: '10000' },
  },
});
const port = Number(values.port);
const host = values.host;
const helloTimeoutMs = Number(values['hello-timeout']);

interface Target {
  host: string;
  port: number;
}

/** HOST:PORT → a Target; the port is after the last colon. */
function parseTarget(text: string): Target {
  const colon = text.lastIndexOf(':');
  const target = { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  if (colon <= 0 || !Number.isInteger(target.port) || target.port <= 0 || target.port > 65535) {
    console.error(`"${text}" is not HOST:PORT (for example 127.0.0.1:9001).`);
    process.exit(2);
  }
  return target;
}

/**
 * The form a name is compared in. DNS names are case-insensitive (RFC 4343), so letters are
 * folded to lower case; and "a.test." is the same name as "a.test" (a trailing dot marks a name
 * as complete; RFC 6066 §3 says a client sends none, but one that does still means that host).
 */
function routeKey(name: string): string {
  // TODO: fold the name to lower case and drop one trailing dot.
  return name;
}

const routes = new Map<string, Target>();
for (const route of values.route) {
  const equals = route.indexOf('=');
  if (equals <= 0) {
    console.error(`"--route ${route}" is not NAME=HOST:PORT (for example a.test=127.0.0.1:9001).`);
    process.exit(2);
  }
  routes.set(routeKey(route.slice(0, equals)), parseTarget(route.slice(equals + 1)));
}
const fallback = values.default === undefined ? undefined : parseTarget(values.default);

/** The backend for a server name: an exact match of the whole name, else the default. */
function routeFor(serverName: string | undefined): Target | undefined {
  const routed = serverName === undefined ? undefined : routes.get(routeKey(serverName));
  return routed ?? fallback;
}

/**
 * A fatal alert record as a TLS server sends it before any handshake: content type 21 (alert),
 * legacy_record_version 0x0303 (RFC 8446 §5.1), length 2, level 2 (fatal), the description.
 */
function alert(description: number): Buffer {
  // TODO: the 7 bytes of the record: type, version (2 bytes), length (2 bytes), level, description.
  void description;
  return Buffer.alloc(0);
}
const UNRECOGNIZED_NAME = 112; // RFC 8446 §6.2, RFC 6066 §3

const server = net.createServer({ allowHalfOpen: true }, (client) => {
  const peer = `${client.remoteAddress}:${client.remotePort}`;
  const reader = new ClientHelloReader();
  /** Every byte read so far: the backend gets all of them, exactly as they came. */
  const received: Buffer[] = [];
  client.on('error', (error) => console.log(`${peer} error: ${error.message}`));

  // TODO: a deadline: destroy the client if its ClientHello is not whole within helloTimeoutMs
  //       (and clear the timer when the socket closes, or when the connection is relayed).

  // TODO: on each 'data' chunk: keep it in `received` and push it into the reader.
  //       - A HelloError: log it and destroy the client.
  //       - undefined: the hello is not whole yet; wait for the next chunk.
  //       - A ClientHello: stop reading (remove your listeners, client.pause()), find the target
  //         with routeFor(hello.serverName). No target: end the client with
  //         alert(UNRECOGNIZED_NAME). Else relay(client, Buffer.concat(received), target, peer).
  //       On 'end' before the hello is whole, destroy the client.
  void [reader, received, routeFor, alert, UNRECOGNIZED_NAME, HelloError, relay];
});

/** Connects to `target`, sends it `first` (the bytes already read), then pipes both ways. */
function relay(client: net.Socket, first: Buffer, target: Target, peer: string): void {
  // TODO: connect to the target (allowHalfOpen: true). Once connected, write `first`, then pipe
  //       the client to the backend and the backend to the client. A backend 'error' before it
  //       connected closes the client; after, it resets the client (resetAndDestroy). A client
  //       'error' resets the backend.
  void [client, first, target, peer];
}

server.listen(port, host, () => {
  console.log(`sni router listening on ${host}:${port}`);
});

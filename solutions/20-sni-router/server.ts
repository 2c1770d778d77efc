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
  const lower = name.toLowerCase(); // host names are ASCII (client-hello.ts checks), so this is ASCII folding
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
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
  return Buffer.from([21, 0x03, 0x03, 0x00, 0x02, 2, description]);
}
const UNRECOGNIZED_NAME = 112; // RFC 8446 §6.2, RFC 6066 §3

const server = net.createServer({ allowHalfOpen: true }, (client) => {
  const peer = `${client.remoteAddress}:${client.remotePort}`;
  const reader = new ClientHelloReader();
  /** Every byte read so far: the backend gets all of them, exactly as they came. */
  const received: Buffer[] = [];

  // A client that connects and says nothing, or trickles forever, must not hold a socket forever.
  const deadline = setTimeout(() => {
    console.log(`${peer} no ClientHello within ${helloTimeoutMs} ms: closed`);
    client.destroy();
  }, helloTimeoutMs);
  client.on('close', () => clearTimeout(deadline));
  client.on('error', (error) => console.log(`${peer} error: ${error.message}`));

  const onData = (chunk: Buffer) => {
    received.push(chunk);
    let hello;
    try {
      hello = reader.push(chunk);
    } catch (error) {
      if (!(error instanceof HelloError)) throw error;
      console.log(`${peer} ${error.message} Closed.`);
      client.destroy();
      return;
    }
    if (!hello) return; // not whole yet: wait for the next read
    // The hello is here: stop reading until the backend can take what follows.
    client.off('data', onData);
    client.off('end', onEndBeforeHello);
    client.pause();
    const target = routeFor(hello.serverName);
    const alpn = hello.alpn.length > 0 ? ` [${hello.alpn.join(', ')}]` : '';
    if (!target) {
      // RFC 6066 §3: a server that does not know the name may end the handshake with this alert.
      // The deadline still runs, so a client that never closes is closed for it.
      console.log(`${peer} ${hello.serverName ?? '(no server name)'}${alpn}: no route, unrecognized_name`);
      client.end(alert(UNRECOGNIZED_NAME));
      client.resume(); // read (and drop) whatever else it sends until it closes
      return;
    }
    clearTimeout(deadline);
    console.log(`${peer} ${hello.serverName ?? '(no server name)'}${alpn} → ${target.host}:${target.port}`);
    relay(client, Buffer.concat(received), target, peer);
  };
  const onEndBeforeHello = () => {
    console.log(`${peer} closed before its ClientHello was whole`);
    client.destroy();
  };
  client.on('data', onData);
  client.on('end', onEndBeforeHello);
});

/** Connects to `target`, sends it `first` (the bytes already read), then pipes both ways. */
function relay(client: net.Socket, first: Buffer, target: Target, peer: string): void {
  const backend = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
  let connected = false;
  backend.on('connect', () => {
    connected = true;
    backend.write(first);
    // pipe(): a destination that is full pauses its source ('drain' resumes it), and the end of
    // one direction (FIN) is passed on with end() while the other keeps flowing.
    client.pipe(backend);
    backend.pipe(client);
  });
  // A reset on one side is passed on as a reset: destroy() alone would send FIN, and the other
  // side would take an abort for an orderly end.
  backend.on('error', (error) => {
    console.log(`${peer} backend ${target.host}:${target.port}: ${error.message}`);
    if (connected) client.resetAndDestroy();
    else client.destroy(); // refused or unreachable: nothing was relayed, just close
  });
  client.on('error', () => backend.resetAndDestroy());
}

server.listen(port, host, () => {
  console.log(`sni router listening on ${host}:${port}`);
});

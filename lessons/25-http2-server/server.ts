// http2-server: the whole course in one server. --port speaks TLS, where ALPN chooses h2 (HTTP/2,
// lesson 24's connection) or http/1.1 (lesson 21's path; also for clients that offer no ALPN),
// and refuses plain HTTP with a 400 it can read (lesson 21). --h2c-port, if given, speaks
// cleartext HTTP/2 with prior knowledge. Either way it is the one application of lesson 19: the
// chat's page and the chat (over HTTP/1.1, which can upgrade), the site with ranges, validators
// and compression, uploads to /echo. SIGINT and SIGTERM shut it down gracefully (shutdown.ts).
// Without --cert, the development certificates `npx learn run http2-server` makes under
// .learn/tls/. Written for you; it stays as it is.
// Run: npx learn run http2-server --port 3443 -- --h2c-port 3000, then
//      curl --cacert .learn/tls/ca.pem https://localhost:3443/index.html
// Check: npx learn check http2-server

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chatApp, DEFAULT_CHAT, DEFAULT_ROOT } from '../19-websocket-chat/app.ts';
import { createTlsPort } from '../21-https/plain-http.ts';
import type { KeyPair } from '../21-https/tls-server.ts';
import { createH2TlsServer } from './alpn.ts';
import { serveH2c, serveTls, type Site } from './dispatch.ts';
import { Connections } from './shutdown.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3443' },
    host: { type: 'string', default: '127.0.0.1' },
    'h2c-port': { type: 'string' },
    cert: { type: 'string', multiple: true },
    key: { type: 'string', multiple: true },
    root: { type: 'string', default: DEFAULT_ROOT },
    'handshake-timeout': { type: 'string', default: '10000' },
    'idle-timeout': { type: 'string', default: '5000' },
    'settings-timeout': { type: 'string', default: '5000' },
    'max-concurrent-streams': { type: 'string', default: '100' },
    // How long a shutdown waits for connections to finish before it ends them anyway.
    'shutdown-timeout': { type: 'string', default: '10000' },
  },
});
type NumberFlag = 'port' | 'h2c-port' | 'handshake-timeout' | 'idle-timeout' | 'settings-timeout' | 'max-concurrent-streams' | 'shutdown-timeout';
const number = (flag: NumberFlag) => {
  const value = Number(values[flag]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${flag} takes a positive whole number; received ${values[flag]}.`);
  return value;
};
const host = values.host;
const port = number('port');

/** --cert and --key in pairs, in order; without them, the development certificates. */
function keyPairs(): KeyPair[] {
  const certs = values.cert ?? [];
  const keys = values.key ?? [];
  if (certs.length !== keys.length) throw new Error(`Give each --cert its --key: received ${certs.length} certificates and ${keys.length} keys.`);
  if (certs.length > 0) return certs.map((cert, i) => ({ cert, key: keys[i]! }));
  const dir = new URL('../../.learn/tls/', import.meta.url);
  const dev = ['localhost', 'app.test'].map((name) => ({ cert: new URL(`${name}.pem`, dir).pathname, key: new URL(`${name}-key.pem`, dir).pathname }));
  if (!dev.every(({ cert, key }) => fs.existsSync(cert) && fs.existsSync(key))) {
    throw new Error(
      'No development certificates in .learn/tls/: start the server with `npx learn run http2-server` (it makes them), or give --cert FILE --key FILE.',
    );
  }
  return dev;
}

const root = path.resolve(values.root);
if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--root must name a folder; ${root} is not one.`);
const { app, chat } = chatApp({ root, maxAgeSeconds: 0, log: false, chat: DEFAULT_CHAT });
const connections = new Connections();
const site: Site = {
  app,
  connections,
  http2: { settingsTimeoutMs: number('settings-timeout'), maxConcurrentStreams: number('max-concurrent-streams') },
  idleTimeoutMs: number('idle-timeout'),
};
const report = (socket: net.Socket) => (error: Error) => console.log(`${socket.remoteAddress}:${socket.remotePort}: ${error.message}`);

const tlsServer = createH2TlsServer(keyPairs(), { handshakeTimeoutMs: number('handshake-timeout') }, (socket) => {
  serveTls(socket, site).catch(report(socket));
});
// The TLS port is lesson 21's: a plain TCP listener that looks at each connection's first byte.
const listeners: net.Server[] = [createTlsPort(tlsServer, number('handshake-timeout'))];
listeners[0]!.listen(port, host, () => console.log(`HTTPS (h2 and http/1.1 by ALPN) on https://${host}:${port}/`));

if (values['h2c-port'] !== undefined) {
  const h2cPort = number('h2c-port');
  const h2c = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    serveH2c(socket, site).catch(report(socket));
  });
  h2c.listen(h2cPort, host, () => console.log(`HTTP/2 with prior knowledge (h2c) on http://${host}:${h2cPort}/`));
  listeners.push(h2c);
}

async function shutdown(signal: string): Promise<void> {
  console.log(`${signal}: GOAWAY to every HTTP/2 connection, the last responses, then exit`);
  for (const listener of listeners) listener.close(); // no new connections
  const deadline = setTimeout(() => {
    console.log(`Connections still open after --shutdown-timeout (${values['shutdown-timeout']} ms): exiting anyway`);
    process.exit(1);
  }, number('shutdown-timeout'));
  deadline.unref();
  await Promise.all([connections.shutdown(), chat.shutdown()]);
  process.exit(0);
}
process.once('SIGINT', (signal) => void shutdown(signal));
process.once('SIGTERM', (signal) => void shutdown(signal));

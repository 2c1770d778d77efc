// https: the course's server over TLS. --port speaks TLS (and refuses plain HTTP with a 400 it can
// read); --http-port, if given, redirects every request to https://. Without --cert, the
// development certificates `npx learn run https` makes under .learn/tls/ (localhost and
// 127.0.0.1, then app.test and *.app.test). Written for you; it stays as it is.
// Run: npx learn run https --port 3443 -- --http-port 3080, then
//      curl --cacert .learn/tls/ca.pem https://localhost:3443/
// Check: npx learn check https

import fs from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { courseApp } from './app.ts';
import { createTlsPort, serveRedirects, withHsts } from './plain-http.ts';
import { createTlsServer, type KeyPair } from './tls-server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3443' },
    host: { type: 'string', default: '127.0.0.1' },
    'http-port': { type: 'string' },
    cert: { type: 'string', multiple: true },
    key: { type: 'string', multiple: true },
    'handshake-timeout': { type: 'string', default: '10000' },
    'idle-timeout': { type: 'string', default: '5000' },
  },
});
const number = (flag: 'port' | 'http-port' | 'handshake-timeout' | 'idle-timeout') => {
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
    throw new Error('No development certificates in .learn/tls/: start the server with `npx learn run https` (it makes them), or give --cert FILE --key FILE.');
  }
  return dev;
}

const app = courseApp({ idleTimeoutMs: number('idle-timeout') });

const tlsServer = createTlsServer(keyPairs(), { handshakeTimeoutMs: number('handshake-timeout') }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  app
    .serve(conn, withHsts)
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

// The TLS port is a plain TCP listener that looks at each connection's first byte first.
const server = createTlsPort(tlsServer, number('handshake-timeout'));
server.listen(port, host, () => console.log(`HTTPS on https://${host}:${port}/ (the chat's page; wss://${host}:${port}/chat)`));

if (values['http-port'] !== undefined) {
  const httpPort = number('http-port');
  const redirects = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
    serveRedirects(socket, port).catch((error: Error) => console.log(`${socket.remoteAddress}:${socket.remotePort}: ${error.message}`));
  });
  redirects.listen(httpPort, host, () => console.log(`HTTP on http://${host}:${httpPort}/ redirects to https://…:${port}/`));
}

async function shutdown(signal: string): Promise<void> {
  console.log(`${signal}: closing every connection`);
  server.close();
  await app.shutdown();
  process.exit(0);
}
process.once('SIGINT', (signal) => void shutdown(signal));
process.once('SIGTERM', (signal) => void shutdown(signal));

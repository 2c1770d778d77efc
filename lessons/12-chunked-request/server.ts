// chunked-request: the server of chunked-response, now reading chunked request bodies too, with
// your reader in chunked-body.ts. POST (or PUT) /echo sends a chunked body back in chunks as it
// arrives; /inspect reports a body's length and its trailer fields. The routes are in app.ts, the
// framing in framing.ts; your loop from keep-alive runs them. This file stays as it is.
// Run: npx learn run chunked-request --port 3000     Then: echo hello | curl -T - http://127.0.0.1:3000/echo
// Check: npx learn check chunked-request

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { serveConnection } from '../10-keep-alive/connection.ts';
import { chunkedRequestApp } from './app.ts';
import { HTTP11_FRAMING } from './framing.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'idle-timeout': { type: 'string', default: '5000' },
  },
});
const port = Number(values.port);
const host = values.host;
const idleTimeoutMs = Number(values['idle-timeout']);
if (!Number.isInteger(idleTimeoutMs) || idleTimeoutMs <= 0)
  throw new Error(`--idle-timeout takes a number of milliseconds; received ${values['idle-timeout']}.`);

// The routes (app.ts), the framing (framing.ts), and your loop from keep-alive to run them.
const app = chunkedRequestApp();

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  // Your loop from keep-alive, with your writer from chunked-response and your reader from
  // chunked-body.ts as its framing.
  serveConnection(conn, app, { idleTimeoutMs, framing: HTTP11_FRAMING })
    .catch((error: Error) => console.log(`${peer}: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`HTTP server (chunked-request) listening on http://${host}:${port}/ (idle timeout ${idleTimeoutMs} ms)`);
});

// http2-frames: cleartext HTTP/2 with prior knowledge ("h2c", RFC 9113 §3.3) on --port. Every
// connection is an Http2Connection; your work is in frame-reader.ts, frame-writer.ts, settings.ts
// and connection.ts. Written for you; it stays as it is.
// Run: npx learn run http2-frames --port 3000 [--settings-timeout 5000]
// Check: npx learn check http2-frames

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Http2Connection } from './connection.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'settings-timeout': { type: 'string', default: '5000' },
  },
});
const port = Number(values.port);
const host = values.host;
const settingsTimeoutMs = Number(values['settings-timeout']);
if (!Number.isSafeInteger(settingsTimeoutMs) || settingsTimeoutMs <= 0) {
  throw new Error(`--settings-timeout takes a positive whole number of ms; received ${values['settings-timeout']}.`);
}

const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
  new Http2Connection(socket, { settingsTimeoutMs });
});

server.listen(port, host, () => {
  console.log(`HTTP/2 (h2c, prior knowledge) listening on http://${host}:${port}/`);
});

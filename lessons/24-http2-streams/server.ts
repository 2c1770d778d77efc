// http2-streams: the course's application (compression's: Part 3's routes, the files of a folder,
// compressed) over cleartext HTTP/2 with prior knowledge ("h2c", RFC 9113 §3.3) on --port. Every
// connection is an Http2Connection; your work is in frames.ts, stream.ts, flow-control.ts,
// messages.ts, data-sender.ts, exchange.ts and connection.ts. Written for you; it stays as it is.
// Run: npx learn run http2-streams --port 3000 [-- --root ./some/folder --max-streams 100]
//      Then: curl --http2-prior-knowledge http://127.0.0.1:3000/
// Check: npx learn check http2-streams

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveFiles } from '../13-static-files/serve-file.ts';
import { compressionApp } from '../16-compression/app.ts';
import { answerEncoded } from '../16-compression/encoded-files.ts';
import { Http2Connection } from './connection.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    root: { type: 'string', default: fileURLToPath(new URL('../16-compression/site', import.meta.url)) },
    'settings-timeout': { type: 'string', default: '5000' },
    'max-streams': { type: 'string', default: '100' },
    'initial-window': { type: 'string', default: '65535' },
  },
});
const number = (flag: 'port' | 'settings-timeout' | 'max-streams' | 'initial-window', min: number) => {
  const value = Number(values[flag]);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${flag} takes a whole number of at least ${min}; received ${values[flag]}.`);
  return value;
};
const host = values.host;
const port = number('port', 0);
const root = path.resolve(values.root);
if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--root must name a folder; ${root} is not one.`);

// The same application as the HTTP/1.1 server of compression: it does not know which protocol carries it.
const app = compressionApp(serveFiles(root, answerEncoded({ maxAge: 0 })));
const options = {
  settingsTimeoutMs: number('settings-timeout', 1),
  maxConcurrentStreams: number('max-streams', 1),
  initialWindowSize: Math.min(number('initial-window', 0), 2 ** 31 - 1),
};

const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
  new Http2Connection(socket, app, options);
});

server.listen(port, host, () => {
  console.log(`HTTP/2 (h2c, prior knowledge) listening on http://${host}:${port}/, serving ${root}`);
});

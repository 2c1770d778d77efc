// Lesson 2: the echo server again, written as a plain loop over the promise API of socket.ts.
// Run: npx tsx server.ts --port 3000   (or: npx learn run socket-promises)
// Check: npx learn check socket-promises

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from './socket.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
const host = values.host;

/** Echoes until the client ends its side, then ends ours. One call per connection. */
async function serveClient(conn: Conn): Promise<void> {
  for (;;) {
    const data = await conn.read();
    if (data.length === 0) break; // EOF: the client sent FIN
    // Not reading again until this write is flushed is what holds a fast client back.
    await conn.write(data);
  }
  await conn.end();
}

// pauseOnConnect: the socket starts paused, so no byte flows before Conn is ready to take it.
const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveClient(conn).catch((error: Error) => {
    console.log(`${peer} error: ${error.message}`);
    conn.destroy();
  });
});

server.listen(port, host, () => {
  console.log(`echo server listening on ${host}:${port}`);
});

// Lesson 1: a TCP echo server. Every byte a client sends comes straight back to that client.
// Run: npx tsx server.ts --port 3000   (or: npx learn run tcp-echo)
// Check: npx learn check tcp-echo

import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
const host = values.host;

// allowHalfOpen: when the client ends its side (FIN), keep ours open until we have echoed the
// rest, then end it ourselves. Without it Node would end our side for us.
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  console.log(`${peer} connected`);

  // A chunk is whatever arrived: part of what the client wrote, or several writes at once.
  // Echo it as the Buffer it is; decoding it as text would mangle bytes that aren't UTF-8.
  socket.on('data', (chunk: Buffer) => {
    socket.write(chunk);
  });

  // The client half-closed: nothing more will come. end() sends our FIN after pending writes.
  socket.on('end', () => {
    socket.end();
  });

  // A reset (ECONNRESET) or a write to a closed peer (EPIPE) arrives here. Without a listener,
  // Node throws it and the whole server dies with this one client.
  socket.on('error', (error) => {
    console.log(`${peer} error: ${error.message}`);
  });

  socket.on('close', () => {
    console.log(`${peer} closed`);
  });
});

server.listen(port, host, () => {
  console.log(`echo server listening on ${host}:${port}`);
});

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

  // TODO: echo: on each 'data' event, write the chunk back to this socket, untouched.

  // TODO: half-close: on 'end' (the client sent FIN), end our side once our writes are flushed.

  // TODO: on 'error' (a reset, say), log it. An 'error' event with no listener crashes the server.

  socket.on('close', () => {
    console.log(`${peer} closed`);
  });
});

server.listen(port, host, () => {
  console.log(`echo server listening on ${host}:${port}`);
});

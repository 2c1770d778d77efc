// MISTAKE: treats UDP like a connection: it remembers the first sender and answers everyone there.
// Lesson 6, part 1: a UDP echo server. Every datagram is answered with one datagram holding the
// same bytes, sent back to the address and port it came from.
// Run: npx tsx server.ts --port 3000   (or: npx learn run udp)
// Check: npx learn check udp

import dgram from 'node:dgram';
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

// One socket serves everyone: UDP has no connections, so there is nothing to accept.
const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
/** The client we talk to, once one has written. */
let client: dgram.RemoteInfo | undefined;

// A datagram arrives whole (or not at all): `message` is everything the sender sent in one
// send(), with its boundaries, and `remote` says who sent it.
socket.on('message', (message: Buffer, remote: dgram.RemoteInfo) => {
  console.log(`${remote.address}:${remote.port} sent ${message.length} bytes`);
  // No connection to answer on: the reply goes to the sender's address and port, from this socket.
  client ??= remote;
  socket.send(message, client.port, client.address, (error) => {
    if (error) console.log(`reply to ${remote.address}:${remote.port} failed: ${error.message}`);
  });
});

// Without a listener an 'error' would be thrown and end the server. Log it and keep serving.
socket.on('error', (error) => {
  console.log(`error: ${error.message}`);
});

socket.bind(port, host, () => {
  console.log(`UDP echo server bound to ${host}:${port}`);
});

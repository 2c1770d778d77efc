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

// A datagram arrives whole (or not at all): `message` is everything the sender sent in one
// send(), with its boundaries, and `remote` says who sent it.
socket.on('message', (message: Buffer, remote: dgram.RemoteInfo) => {
  console.log(`${remote.address}:${remote.port} sent ${message.length} bytes`);
  // TODO: send `message` back, unchanged and as one datagram, to the port and address in `remote`.
});

// TODO: on 'error', log it and keep serving. Without a listener an 'error' is thrown and ends the
//       server.

socket.bind(port, host, () => {
  console.log(`UDP echo server bound to ${host}:${port}`);
});

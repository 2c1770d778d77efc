// The start probe must not take a connection with itself for a listening program (process/program.ts,
// connectsToItself): on Linux a socket bound to port P that connects to P on the same address
// meets itself (TCP simultaneous open), which is what happens by chance when the kernel picks P.

import net from 'node:net';
import { expect, test } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { connectsToItself } from '../process/program.ts';

function connect(options: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options, () => resolve(socket));
    socket.once('error', reject);
  });
}

test('a socket connected to its own port is told apart from a connection to a listener', async () => {
  const port = await freePort();
  const self = await connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort: port });
  expect(connectsToItself(self)).toBe(true);
  self.destroy();

  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const real = await connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  expect(connectsToItself(real)).toBe(false);
  real.destroy();
  await new Promise((resolve) => server.close(resolve));
});

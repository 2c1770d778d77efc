import net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now: the OS picks it when we bind port 0,
 * and we give it back at once. Another process could take it in between; the window is tiny and a
 * start failure then says which port was asked for.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

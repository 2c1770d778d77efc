// Listens, but not on the port it was given: on one the system picks (a fixed port such as
// port + 1 may be taken on a busy machine, and then the program would crash instead). It prints
// that port, for the test to compare with what the harness reports.
import net from 'node:net';
import { port } from './args.ts';

const server = net.createServer().listen(0, '127.0.0.1', () => {
  const { port: actual } = server.address() as net.AddressInfo;
  console.log(`told ${port}, listening on ${actual}`);
});

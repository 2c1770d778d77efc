import net from 'node:net';
import { port } from './args.ts';

net
  .createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      if (chunk.includes('boom')) throw new TypeError("Cannot read properties of undefined (reading 'length')");
      socket.write(chunk);
    });
  })
  .listen(port, '127.0.0.1');

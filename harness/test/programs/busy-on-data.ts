import net from 'node:net';
import { port } from './args.ts';

net
  .createServer((socket) => {
    socket.on('data', () => {
      const started = Date.now();
      while (Date.now() - started < 60_000); // "wait" for the rest of the message
    });
  })
  .listen(port, '127.0.0.1');

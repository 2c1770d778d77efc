// Greets each client and has no 'error' listener on its sockets: the first client that resets its
// connection makes the socket emit 'error' (read ECONNRESET), Node throws it, and the server dies.
import net from 'node:net';
import { port } from './args.ts';

net
  .createServer((socket) => {
    socket.write('hello\n');
  })
  .listen(port, '127.0.0.1');

// A client program: connects to --port, says hello, then throws before saying anything else.
import net from 'node:net';
import { port } from './args.ts';

const socket = net.connect({ host: '127.0.0.1', port }, () => {
  socket.write('hello\n', () => {
    throw new Error('lost my place after hello');
  });
});

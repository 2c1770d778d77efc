import net from 'node:net';
import { port } from './args.ts';

net.createServer().listen(port + 1, '127.0.0.1');

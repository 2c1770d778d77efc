// Listens, and tells each client the command line it was started with (argv[1] on): a program
// started from a zygote must see what `node <entry> --port N` would have given it.
import net from 'node:net';
import { port } from './args.ts';

net.createServer((socket) => socket.end(`${process.argv.slice(1).join(' ')}\n`)).listen(port, '127.0.0.1');

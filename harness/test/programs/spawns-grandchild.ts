// Listens, and starts a long-lived process of its own, which must die with it.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { port } from './args.ts';

const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
net.createServer((socket) => socket.end(`${grandchild.pid}\n`)).listen(port, '127.0.0.1');

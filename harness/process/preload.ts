// Loaded into the learner's program with `--import` before their code runs. It only watches:
// it tells the harness where the program listens and how much memory it holds, over the IPC
// channel the harness opened. It never changes what the learner's code does.

import net from 'node:net';
import dgram from 'node:dgram';
import type { ProgramMessage, HarnessMessage } from './messages.ts';

function tell(message: ProgramMessage): void {
  if (process.connected) process.send?.(message);
}

function addressOf(address: string | net.AddressInfo | null): { host: string; port: number } | undefined {
  if (address === null || typeof address === 'string') return undefined;
  return { host: address.address, port: address.port };
}

// Every TCP server in Node (net, http, ...) goes through net.Server#listen.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
  this.once('listening', () => tell({ type: 'listening', transport: 'tcp', ...addressOf(this.address())! }));
  return (listen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof listen;

const bind = dgram.Socket.prototype.bind;
dgram.Socket.prototype.bind = function (this: dgram.Socket, ...args: unknown[]) {
  this.once('listening', () => tell({ type: 'listening', transport: 'udp', ...addressOf(this.address())! }));
  return (bind as (...a: unknown[]) => dgram.Socket).apply(this, args);
} as typeof bind;

process.on('message', (message: HarnessMessage) => {
  if (message.type !== 'stats') return;
  const resources: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
  const memory = process.memoryUsage();
  tell({ type: 'stats', id: message.id, rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers, resources });
});

// The channel must not keep the program alive: a program that never listens should exit as it
// would without us. And when the harness goes away, so do we (no orphans).
process.channel?.unref();
process.on('disconnect', () => process.exit(0));

// Loaded into the learner's program with `--import` before their code runs. It only watches:
// it tells the harness where the program listens and how much memory it holds, over the IPC
// channel the harness opened. It never changes what the learner's code does.

import net from 'node:net';
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import zlib from 'node:zlib';
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

/**
 * Datagrams handed to the program's code and datagrams it asked to send, over all its UDP sockets.
 * The kernel's tables cannot show a datagram on its way (a UDP socket keeps no copy of what it
 * sent), so the quiet proof for UDP compares these with what the check sent and received
 * (Program.quietDatagrams). Counting changes nothing the program sees: each is counted on its way
 * through, before Node's own code runs.
 */
const datagrams = { received: 0, sent: 0 };
const emit = dgram.Socket.prototype.emit;
dgram.Socket.prototype.emit = function (this: dgram.Socket, event: string | symbol, ...args: unknown[]) {
  if (event === 'message') datagrams.received++;
  return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof emit;
const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
  datagrams.sent++;
  return (send as (...a: unknown[]) => void).apply(this, args);
} as typeof send;

/**
 * Node's timer lists, readable because the harness starts the program with --expose-internals
 * (process/spawn.mjs): getActiveResourcesInfo() leaves out unref'd timers, and socket.setTimeout()
 * makes one, which can end a connection without any input (process/quiet.ts). Undefined where
 * they cannot be read (another Node's internals): the program then never counts as quiet.
 */
interface TimerInternals {
  timerListMap: Record<string, { _idleNext: unknown }>;
  immediateQueue?: { head: unknown };
  outstandingQueue?: { head: unknown };
}
let timerInternals: TimerInternals | undefined;
try {
  const internals = createRequire(import.meta.url)('internal/timers') as TimerInternals;
  if (internals && typeof internals.timerListMap === 'object') timerInternals = internals;
} catch {
  // Not exposed.
}

interface TimerNode {
  _idleNext: unknown;
  _idleStart?: number;
  _idleTimeout?: number;
}

/**
 * Timers (ref'd or not) and immediates waiting to run, and in how many ms the first of them is due
 * (0 for an immediate; null when none waits); undefined when that cannot be told.
 */
function pendingTimers(): { count: number; nextMs: number | null } | undefined {
  if (!timerInternals) return undefined;
  // Now, on the clock timers are set by (the event loop's, in ms): a timer's start is taken from it.
  const clock = setTimeout(() => {}, 2 ** 30) as unknown as TimerNode;
  clearTimeout(clock as unknown as NodeJS.Timeout);
  const now = clock._idleStart;
  if (typeof now !== 'number') return undefined;
  let count = 0;
  let next = Infinity;
  for (const list of Object.values(timerInternals.timerListMap)) {
    for (let timer = list._idleNext as TimerNode | undefined; timer && timer !== list; timer = timer._idleNext as TimerNode) {
      count++;
      if (typeof timer._idleStart !== 'number' || typeof timer._idleTimeout !== 'number') return undefined;
      next = Math.min(next, Math.max(0, timer._idleStart + timer._idleTimeout - now));
    }
  }
  if (timerInternals.immediateQueue?.head || timerInternals.outstandingQueue?.head) {
    count++;
    next = 0;
  }
  return { count, nextMs: count === 0 ? null : next };
}

/**
 * zlib's streams compress on libuv's thread pool, where nothing of the event loop shows the work
 * (getActiveResourcesInfo lists no request for it), yet its end writes the output: a program
 * compressing is not quiet. Each kind of zlib handle (zlib, brotli both ways, zstd where Node has
 * it) is found through a throwaway stream, and its asynchronous write() notes the handle; the
 * handle holds its input chunk (`buffer`) until the work is done. (zlib is loaded here for that,
 * in the harness's zygote, before anyone knows which program it becomes.)
 */
const zlibHandles = new Set<{ buffer?: unknown }>();
const ZLIB_KINDS = ['createGzip', 'createBrotliCompress', 'createBrotliDecompress', 'createZstdCompress', 'createZstdDecompress'];
const patchedWrites = new Set<object>();
for (const kind of ZLIB_KINDS) {
  const make = (zlib as unknown as Record<string, (() => zlib.Gzip) | undefined>)[kind];
  if (typeof make !== 'function') continue;
  const stream = make();
  const proto = Object.getPrototypeOf((stream as unknown as { _handle: object })._handle) as { write?: (...args: unknown[]) => unknown };
  stream.close();
  if (patchedWrites.has(proto) || typeof proto.write !== 'function') continue;
  patchedWrites.add(proto);
  const write = proto.write;
  proto.write = function (this: { buffer?: unknown }, ...args: unknown[]) {
    zlibHandles.add(this);
    return write.apply(this, args);
  };
}

/** True while a zlib handle has work on the thread pool (its input chunk is dropped when done). */
function zlibBusy(): boolean {
  let busy = false;
  for (const handle of zlibHandles) {
    if (handle.buffer) busy = true;
    else zlibHandles.delete(handle);
  }
  return busy;
}

/**
 * crypto's asynchronous functions (scrypt, pbkdf2, randomBytes with a callback, Web Crypto's
 * subtle.*) run on the thread pool as well, and nothing of the event loop lists them either. Each
 * call is counted until its callback runs or its promise settles. The module's functions are
 * wrapped in place, and syncBuiltinESMExports() passes the wrappers on to `import { scrypt } from
 * 'node:crypto'` too; a call without a callback (the synchronous form) is passed straight through.
 */
let cryptoJobs = 0;
const CRYPTO_CALLBACK_FUNCTIONS = [
  'randomBytes',
  'pseudoRandomBytes',
  'randomFill',
  'randomInt',
  'pbkdf2',
  'scrypt',
  'hkdf',
  'generateKey',
  'generateKeyPair',
  'generatePrime',
  'checkPrime',
];
const cryptoExports = crypto as unknown as Record<string, unknown>;
for (const name of CRYPTO_CALLBACK_FUNCTIONS) {
  const original = cryptoExports[name];
  if (typeof original !== 'function') continue;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback !== 'function') return original.apply(this, args);
    cryptoJobs++;
    let done = false;
    args[last] = function (this: unknown, ...results: unknown[]) {
      if (!done) ((done = true), cryptoJobs--);
      return callback.apply(this, results);
    };
    try {
      return original.apply(this, args);
    } catch (error) {
      // Thrown at once (bad arguments): no job was started.
      if (!done) ((done = true), cryptoJobs--);
      throw error;
    }
  };
  Object.defineProperty(wrapped, 'name', { value: original.name });
  Object.defineProperty(wrapped, 'length', { value: original.length });
  cryptoExports[name] = wrapped;
}
syncBuiltinESMExports();
const subtle = crypto.webcrypto?.subtle as unknown as Record<string, unknown> | undefined;
const subtlePrototype = subtle ? (Object.getPrototypeOf(subtle) as Record<string, unknown>) : undefined;
for (const name of subtlePrototype ? Object.getOwnPropertyNames(subtlePrototype) : []) {
  const original = subtlePrototype![name];
  if (name === 'constructor' || typeof original !== 'function') continue;
  subtlePrototype![name] = function (this: unknown, ...args: unknown[]) {
    const result = original.apply(this, args) as unknown;
    if (!(result instanceof Promise)) return result;
    cryptoJobs++;
    return result.finally(() => cryptoJobs--);
  };
}

process.on('message', (message: HarnessMessage) => {
  if (message.type !== 'stats') return;
  const resources: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
  const memory = process.memoryUsage();
  tell({
    type: 'stats',
    id: message.id,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    resources,
    timers: pendingTimers(),
    threadPool: zlibBusy() || cryptoJobs > 0,
    datagrams: { ...datagrams },
  });
});

// The channel must not keep the program alive: a program that never listens should exit as it
// would without us. And when the harness goes away, so do we (no orphans).
process.channel?.unref();
process.on('disconnect', () => process.exit(0));

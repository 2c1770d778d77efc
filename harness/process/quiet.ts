// Whether a program has gone quiet: nothing left to read, nothing left to write, nothing it waits
// for but new input. A check that waits for a reply from such a program waits for nothing: until
// the check sends something more, the program cannot run a line of its code, so it cannot answer.
// The proof lets a wait end as soon as it holds instead of at its time bound (a stub that accepts a
// connection and never writes fails in milliseconds, not after 2 s), and it never shortens the wait
// of a program that is slow: a program that has not yet read the bytes, or is still working on
// them, or has a timer, a file read or a write pending, is not quiet.
//
// Linux only (elsewhere it never holds): the kernel's socket tables (/proc/net/tcp, tcp6, udp,
// udp6) say how many bytes wait in each socket's queues, and /proc/<pid>/fd which sockets are the
// program's. What the program's event loop still holds comes from the program itself
// (process.getActiveResourcesInfo, answered by the preload over IPC: process/preload.ts).

import fs from 'node:fs';

/** One socket of the kernel's tables: where it is, its state, and the bytes in its queues. */
interface SocketEntry {
  local: string;
  remote: string;
  /** TCP state (hex, as the table has it): 0A is LISTEN; UDP sockets are 07. */
  state: string;
  tx: number;
  rx: number;
  inode: string;
}

const TABLES = ['tcp', 'tcp6', 'udp', 'udp6'];
const LISTEN = '0A';

/**
 * What a program's event loop may hold and still do nothing on its own: sockets and pipes wait for
 * input. Anything else (a timer, an immediate, a pending write, close, file or DNS request, a child
 * process, a worker, a watcher) can run the program's code without new input.
 */
const WAITING_FOR_INPUT = new Set(['TCPServerWrap', 'TCPSocketWrap', 'TCPWrap', 'PipeWrap', 'TTYWrap', 'UDPWrap', 'TLSWrap']);

/** True when every resource the program's event loop holds only waits for input. */
export function onlyWaitsForInput(resources: Record<string, number>): boolean {
  return Object.keys(resources).every((name) => WAITING_FOR_INPUT.has(name));
}

function readTables(): SocketEntry[] {
  const entries: SocketEntry[] = [];
  for (const table of TABLES) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue; // no IPv6, say
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const [tx, rx] = fields[4]!.split(':').map((hex) => parseInt(hex, 16));
      entries.push({ local: `${table}:${fields[1]}`, remote: `${table}:${fields[2]}`, state: fields[3]!, tx: tx!, rx: rx!, inode: fields[9]! });
    }
  }
  return entries;
}

function socketInodes(pid: number): Set<string> | undefined {
  const inodes = new Set<string>();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return undefined; // gone, or not ours to read
  }
  return inodes;
}

/** The port of a table address (`0100007F:9057`), as a number. */
function portOf(address: string): number {
  return parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
}

/**
 * The program's sockets as the kernel sees them now: undefined unless every queue is empty (no
 * byte waits to be read by the program, or by whoever is at the other end of its connections on
 * this machine, and none is in flight from it; no connection waits to be accepted). Otherwise the
 * ports its connections lead to, and a fingerprint of the whole, to compare before and after.
 */
export function quietSockets(pid: number): { peers: number[]; fingerprint: string } | undefined {
  if (process.platform !== 'linux') return undefined;
  const inodes = socketInodes(pid);
  if (!inodes) return undefined;
  const entries = readTables();
  const byEnds = new Map(entries.map((entry) => [`${entry.local}>${entry.remote}`, entry]));
  const peers: number[] = [];
  const mine = entries.filter((entry) => inodes.has(entry.inode) && entry.inode !== '0');
  for (const entry of mine) {
    if (entry.rx > 0) return undefined;
    if (entry.state === LISTEN) continue; // its tx is the backlog's size, not bytes
    if (entry.tx > 0) return undefined;
    // Datagrams come from anyone, unannounced: a program with a UDP socket is never proved quiet.
    if (entry.local.startsWith('udp')) return undefined;
    // The other end (on this machine, or no proof): bytes it has not read yet are in flight too.
    const other = byEnds.get(`${entry.remote}>${entry.local}`);
    if (!other || other.rx > 0) return undefined;
    peers.push(portOf(entry.remote));
  }
  const fingerprint = mine
    .map((entry) => `${entry.local}>${entry.remote}/${entry.state}`)
    .sort()
    .join(' ');
  return { peers: peers.sort((a, b) => a - b), fingerprint };
}

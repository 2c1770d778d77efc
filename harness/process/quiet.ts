// Whether a program has gone quiet: nothing left to read, nothing left to write, nothing it waits
// for but new input (or a timer due only after the time in question). A check that waits for a
// reply from such a program waits for nothing: until the check sends something more (or that
// timer is due), the program cannot run a line of its code, so it cannot answer; and a check that
// waits to see that nothing comes has seen it.
// The proof lets a wait end as soon as it holds instead of at its time bound (a stub that accepts a
// connection and never writes fails in milliseconds, not after 2 s), and it never shortens the wait
// of a program that is slow: a program that has not yet read the bytes, or is still working on
// them, or has a timer, a file read or a write pending, is not quiet.
//
// Linux only (elsewhere it never holds): the kernel's socket tables (/proc/net/tcp, tcp6, udp,
// udp6) say how many bytes wait in each socket's queues, and /proc/<pid>/fd which sockets are the
// program's. What the program's event loop still holds comes from the program itself
// (process.getActiveResourcesInfo, answered by the preload over IPC: process/preload.ts).
// For UDP the tables cannot show a datagram on its way between two sockets, so the proof also
// counts datagrams at both ends: every one the check sent handed to the program's code, every one
// the program sent received by the check (Program.quietDatagrams, UdpClient's waits).

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
 * input, and timers are judged by when they are due (the preload says: Program.quiet). Anything
 * else (an immediate, a pending write, close, file or DNS request, a child process, a worker, a
 * watcher) can run the program's code without new input.
 */
const WAITING_FOR_INPUT = new Set(['TCPServerWrap', 'TCPSocketWrap', 'TCPWrap', 'PipeWrap', 'TTYWrap', 'UDPWrap', 'TLSWrap', 'Timeout']);

/**
 * A timer due this close to the end of a window counts as due within it: the program's clock is
 * the one its event loop read last, which a callback in progress can have left behind.
 */
export const TIMER_MARGIN_MS = 50;

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

const ESTABLISHED = '01';

/**
 * The program's sockets as the kernel sees them now, for a caller whose own connections to it
 * have the local ports `clients`: undefined unless every queue is empty (no byte waits to be read
 * by the program, or by the caller, and none is in flight; no connection waits to be accepted),
 * every connection of the program is established and leads to one of the caller's, and each of
 * the caller's is established and leads to the program (a FIN or a reset the caller has not
 * read yet is something that came). Otherwise a fingerprint of the whole, to compare before and
 * after.
 */
export function quietSockets(pid: number, clients: readonly number[]): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const inodes = socketInodes(pid);
  if (!inodes) return undefined;
  const entries = readTables();
  const byEnds = new Map(entries.map((entry) => [`${entry.local}>${entry.remote}`, entry]));
  const mine = entries.filter((entry) => inodes.has(entry.inode) && entry.inode !== '0');
  const reached = new Set<number>();
  for (const entry of mine) {
    if (entry.rx > 0) return undefined;
    if (entry.state === LISTEN) continue; // its tx is the backlog's size, not bytes
    // Datagrams come from anyone, unannounced: a program with a UDP socket is never proved quiet.
    if (entry.local.startsWith('udp')) return undefined;
    if (entry.tx > 0 || entry.state !== ESTABLISHED) return undefined;
    // The other end must be the caller's, established, with nothing unread.
    const other = byEnds.get(`${entry.remote}>${entry.local}`);
    if (!other || other.state !== ESTABLISHED || other.rx > 0 || other.tx > 0 || !clients.includes(portOf(other.local))) return undefined;
    reached.add(portOf(other.local));
  }
  if (clients.some((port) => !reached.has(port))) return undefined;
  return mine
    .map((entry) => `${entry.local}>${entry.remote}/${entry.state}`)
    .sort()
    .join(' ');
}

/**
 * Whether the program at the other end of the caller's TCP connection (from local port `clientPort`
 * to `serverPort`) has read every byte the caller wrote: nothing in flight, nothing waiting in the
 * program's receive queue. Undefined where that cannot be told (not Linux, no such connection).
 * A program takes with one read whatever waits in its queue, so once the queue is empty after a
 * write, the program's read ended at that write's last byte: the next write arrives as a read of
 * its own (a ClientHello whose first byte arrives alone), however loaded the machine.
 */
export function peerHasRead(clientPort: number, serverPort: number): boolean | undefined {
  if (process.platform !== 'linux') return undefined;
  const entries = readTables().filter((entry) => entry.local.startsWith('tcp'));
  const ours = entries.find((entry) => portOf(entry.local) === clientPort && portOf(entry.remote) === serverPort);
  const theirs = entries.find((entry) => portOf(entry.local) === serverPort && portOf(entry.remote) === clientPort);
  if (!ours || !theirs) return undefined;
  return ours.tx === 0 && theirs.rx === 0;
}

/**
 * For a program that speaks UDP: its sockets as the kernel sees them now, or undefined unless
 * every one is a UDP socket with no datagram waiting to be read and none on its way out, or a TCP
 * listener with no connection waiting to be accepted (a TCP connection is input of another kind,
 * and ends the proof). A fingerprint, to compare before and after. The tables cannot show a
 * datagram between two sockets: Program.quietDatagrams counts those at both ends.
 */
export function quietDatagramSockets(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const inodes = socketInodes(pid);
  if (!inodes) return undefined;
  const mine = readTables().filter((entry) => inodes.has(entry.inode) && entry.inode !== '0');
  for (const entry of mine) {
    if (entry.rx > 0) return undefined;
    const udp = entry.local.startsWith('udp');
    if (udp ? entry.tx > 0 : entry.state !== LISTEN) return undefined;
  }
  return mine
    .map((entry) => `${entry.local}>${entry.remote}/${entry.state}`)
    .sort()
    .join(' ');
}

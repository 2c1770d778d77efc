// What the learner's program (through preload.ts) and the harness say to each other over IPC.

/** From the program: it listens (TCP) or is bound (UDP) at this address. */
export interface ListeningMessage {
  type: 'listening';
  transport: 'tcp' | 'udp';
  host: string;
  port: number;
}

/** From the program: its memory and open handles, answering a StatsRequest. */
export interface StatsMessage {
  type: 'stats';
  id: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Counts of process.getActiveResourcesInfo() entries: TCPSocketWrap, TCPServerWrap, Timeout … */
  resources: Record<string, number>;
  /**
   * Timers (ref'd or not) and immediates waiting to run, and in how many ms the first is due (null
   * when none waits); undefined when the program cannot tell.
   */
  timers?: { count: number; nextMs: number | null };
  /** Work of the program's on libuv's thread pool that the event loop does not list (zlib, crypto). */
  threadPool?: boolean;
  /**
   * Datagrams over all the program's UDP sockets: how many its code was handed ('message' events)
   * and how many it asked to send (send() calls). The quiet proof for UDP (process/quiet.ts).
   */
  datagrams?: { received: number; sent: number };
}

/**
 * From the program's main module (process/zygote.ts): the learner's entry begins to load
 * ('importing': node, tsx and the preload are up), and its top level has run ('running').
 */
export interface StartMessage {
  type: 'importing' | 'running';
}

export type ProgramMessage = ListeningMessage | StatsMessage | StartMessage;

/** From the harness: report memory and handles now. */
export interface StatsRequest {
  type: 'stats';
  id: number;
}

export type HarnessMessage = StatsRequest;

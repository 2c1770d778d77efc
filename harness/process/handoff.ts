// What the check runner's program host (host.ts, main thread) and the test worker that adopts its
// programs (adopt.ts) say to each other over their BroadcastChannel. Types and one name only, so
// that the worker loads none of the host's code.

/** The environment variable that tells a test worker which channel its host listens on. */
export const HOST_ENV = 'LEARN_PROGRAM_HOST';

/** What identifies a program the worker can adopt: the same entry, arguments and transport. */
export interface ProgramKey {
  entry: string;
  /** Arguments after `--port N`. */
  args: string[];
  transport: 'tcp' | 'udp';
}

export type ChildEvent =
  | { kind: 'stdout' | 'stderr'; text: string }
  | { kind: 'stdout-end' | 'stderr-end' }
  | { kind: 'message'; message: unknown }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null };

/** Worker → host. */
export type WorkerRequest =
  { type: 'adopt'; request: string; key: ProgramKey } | { type: 'prepare'; key: ProgramKey } | { type: 'send'; program: number; message: unknown };

/** Host → worker. */
export type HostReply =
  | { type: 'adopted'; request: string; program: number; pid: number | undefined; port: number; ageMs: number; events: ChildEvent[] }
  | { type: 'event'; program: number; event: ChildEvent };

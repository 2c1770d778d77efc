// One shell command run as a learner would type it (bash -c, in its own process group so that a
// Ctrl-C reaches the whole pipeline), with what it printed and when, and a bounded wait.

import { spawn, type ChildProcess } from 'node:child_process';

export interface Chunk {
  at: number;
  bytes: Buffer;
  stream: 'stdout' | 'stderr';
}

export class ShellRun {
  readonly child: ChildProcess;
  readonly started = Date.now();
  readonly chunks: Chunk[] = [];
  /** Exit code, or null after a signal; resolves once its output is all read. */
  readonly closed: Promise<number | null>;
  private ended = false;
  private endedAt = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly command: string,
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ) {
    // --norc: Node's stdio pipes are sockets, and bash given a socket for stdin (and SHLVL < 2)
    // reads ~/.bashrc as if run by rshd, which may put its own PATH first (pyenv, cargo …).
    this.child = spawn('bash', ['--norc', '--noprofile', '-c', command], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdin!.on('error', () => {}); // a command that never reads its input
    const take = (stream: 'stdout' | 'stderr') => (data: Buffer) => {
      this.chunks.push({ at: Date.now() - this.started, bytes: data, stream });
      this.wake();
    };
    this.child.stdout!.on('data', take('stdout'));
    this.child.stderr!.on('data', take('stderr'));
    this.closed = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.ended = true;
        this.endedAt = Date.now() - this.started;
        this.wake();
        resolve(code);
      }),
    );
  }

  /** stdout and stderr as they came, interleaved. */
  get out(): string {
    return Buffer.concat(this.chunks.map((chunk) => chunk.bytes)).toString('utf8');
  }

  get stdout(): string {
    return Buffer.concat(this.chunks.filter((chunk) => chunk.stream === 'stdout').map((chunk) => chunk.bytes)).toString('utf8');
  }

  get done(): boolean {
    return this.ended;
  }

  /** How long it ran, in ms (so far, if it still runs). */
  get elapsed(): number {
    return this.ended ? this.endedAt : Date.now() - this.started;
  }

  type(input: string, { end = true } = {}): void {
    this.child.stdin!.write(input);
    if (end) this.child.stdin!.end();
  }

  /** Resolves true once the output matches, false if the command ends or `ms` pass first. */
  until(pattern: RegExp, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (pattern.test(this.out)) return finish(true);
        if (this.ended) return finish(false);
      };
      const timer = setTimeout(() => finish(false), ms);
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the end, at most `ms`; true if it ended. */
  async exit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([this.closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
    clearTimeout(timer);
    return ended;
  }

  /** Ctrl-C: SIGINT to the whole pipeline. */
  interrupt(): void {
    this.signal('SIGINT');
  }

  /** Ends it for good (what a test does with a command that outlived its bound). */
  async kill(): Promise<void> {
    if (this.ended) return;
    this.signal('SIGINT');
    if (!(await this.exit(3000))) this.signal('SIGKILL');
    await this.exit(3000);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.ended || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

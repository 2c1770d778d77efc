// A throwaway copy of the workbook for end-to-end tests of `learn`: lessons as shipped (stubs),
// its own `.learn/` progress, node_modules shared by a symlink. `learn()` runs the command in it
// as a learner would, without a terminal.

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../paths.ts';

export interface Run {
  code: number | null;
  out: string;
  err: string;
}

/**
 * A `learn` run that takes longer has hung: it is killed, and the test fails on what it printed.
 * A run costs seconds on a loaded machine (node, tsx and the CLI load; a check boots Vitest too),
 * so a test bounds itself by its runs (`learnRuns`), not by Vitest's default.
 */
export const LEARN_RUN_MS = 120_000;

/** The bound of a test that makes `count` learn runs one after another. */
export function learnRuns(count: number): number {
  return count * LEARN_RUN_MS;
}

export class Workbook {
  readonly root: string;
  private readonly spawned: Running[] = [];

  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-cli-'));
    for (const entry of fs.readdirSync(repoRoot)) {
      if (['node_modules', '.git', '.learn'].includes(entry)) continue;
      fs.cpSync(path.join(repoRoot, entry), path.join(this.root, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(this.root, 'node_modules'), 'dir');
  }

  /**
   * No terminal, no colour: what a pipe or CI sees. `env` adds to (or, with undefined, removes from)
   * it. No resident check process either (harness/resident/), unless a test asks for one.
   */
  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', LEARN_ROOT: '', LEARN_RESIDENT: 'off', ...extra };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
    return env;
  }

  learn(args: string[], extra?: Record<string, string | undefined>): Run {
    const result = spawnSync(process.execPath, [this.bin, ...args], { cwd: this.root, encoding: 'utf8', env: this.env(extra), timeout: LEARN_RUN_MS });
    return { code: result.status, out: result.stdout, err: result.stderr };
  }

  /** `learn` as a child process the test drives (signals, closing its output). */
  spawn(args: string[], extra?: Record<string, string | undefined>): Running {
    const running = new Running(spawn(process.execPath, [this.bin, ...args], { cwd: this.root, env: this.env(extra) }));
    this.spawned.push(running);
    return running;
  }

  /** The pids of the programs this copy's `learn` started and still remembers as running (.learn/run). */
  remembered(): number[] {
    const dir = path.join(this.root, '.learn', 'run');
    return fs.existsSync(dir) ? fs.readdirSync(dir).map(Number).filter(Number.isInteger) : [];
  }

  /**
   * Kills every `learn` this copy spawned that is still running, and every program they started
   * (each in a process group of its own, with whatever it started): a test that fails before its
   * Ctrl-C leaves nothing behind. Resolves once they are gone (a few seconds at most).
   */
  async stopAll(): Promise<void> {
    const programs = this.remembered();
    const exits = this.spawned.splice(0).map((running) => running.kill());
    for (const pid of programs) {
      try {
        process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(exits), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
    for (let i = 0; i < 100 && programs.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  get bin(): string {
    return path.join(this.root, 'bin', 'learn.mjs');
  }

  lessonFile(folder: string, file: string): string {
    return path.join(this.root, 'lessons', folder, file);
  }

  solutionFile(folder: string, file: string): string {
    return path.join(this.root, 'solutions', folder, file);
  }

  /** Puts the reference of a lesson in place of the learner's files: the lesson then passes. */
  solve(folder: string): void {
    for (const file of fs.readdirSync(path.join(this.root, 'solutions', folder))) {
      fs.copyFileSync(this.solutionFile(folder, file), this.lessonFile(folder, file));
    }
  }

  get stateFile(): string {
    return path.join(this.root, '.learn', 'state.json');
  }

  readState(): { passed: Record<string, string>; hints: Record<string, number>; rebuilding?: unknown } {
    return JSON.parse(fs.readFileSync(this.stateFile, 'utf8'));
  }

  writeState(state: unknown): void {
    fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
    fs.writeFileSync(this.stateFile, typeof state === 'string' ? state : JSON.stringify(state));
  }

  remove(): void {
    endResident(this.root);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Ends the copy's resident check process, if a test left one (it would end by itself, seconds after its clone is gone). */
export function endResident(root: string): void {
  try {
    const { pid } = JSON.parse(fs.readFileSync(path.join(root, '.learn', 'resident.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
  } catch {
    // None, or gone.
  }
}

/** A `learn` process a test drives: its output as it arrives, a bounded wait for a line, its end. */
export class Running {
  private stdout = '';
  private stderr = '';
  private ended = false;
  private readonly waiters = new Set<() => void>();
  /** Its exit code (null after a signal), once everything it printed has been read ('close'). */
  readonly closed: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => ((this.stdout += chunk), this.wake()));
    child.stderr.on('data', (chunk: Buffer) => ((this.stderr += chunk), this.wake()));
    this.closed = new Promise((resolve) => child.on('close', (code) => ((this.ended = true), this.wake(), resolve(code))));
  }

  get out(): string {
    return this.stdout;
  }

  get err(): string {
    return this.stderr;
  }

  /** Waits until the output matches, failing with what it printed if it ends or `ms` pass first. */
  until(pattern: RegExp, ms = 60_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.stdout)) return (done(), resolve());
        if (this.ended) return (done(), reject(new Error(`learn ended before printing ${pattern}; it printed:\n${this.stdout}\n${this.stderr}`)));
      };
      const timer = setTimeout(() => (done(), reject(new Error(`Expected ${pattern} within ${ms} ms; learn printed:\n${this.stdout}\n${this.stderr}`))), ms);
      const done = () => (clearTimeout(timer), this.waiters.delete(check));
      this.waiters.add(check);
      check();
    });
  }

  /** Kills it (SIGKILL) if it is still running; resolves once it has exited. */
  kill(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.closed;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Linux: running, not a zombie waiting to be reaped. Elsewhere: signal 0 reaches it. */
export function alive(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// A temporary copy of the workbook for tests that run `learn` as a learner would, in a folder of
// its own (its own .learn/ state and lesson files), sharing node_modules with this one.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../paths.ts';
import { endResident } from './workbook.ts';

export interface WorkbookCopy {
  root: string;
  file: (...parts: string[]) => string;
  /** Starts `learn …` in the copy, without a terminal; collects its output in `out`. */
  learn: (args: string[], env?: Record<string, string>) => LearnProcess;
  remove: () => void;
}

export interface LearnProcess {
  child: ChildProcessWithoutNullStreams;
  readonly out: string;
  /** Waits until `pattern` has matched `count` times in stdout (bounded); returns the output. */
  waitFor: (pattern: RegExp, count?: number, timeoutMs?: number) => Promise<string>;
  exited: Promise<number | null>;
}

export function copyWorkbook(): WorkbookCopy {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-copy-'));
  const started: ChildProcessWithoutNullStreams[] = [];
  for (const entry of fs.readdirSync(repoRoot)) {
    if (['node_modules', '.git', '.learn'].includes(entry)) continue;
    fs.cpSync(path.join(repoRoot, entry), path.join(root, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return {
    root,
    file: (...parts) => path.join(root, ...parts),
    learn: (args, env = {}) => {
      const child = spawn(process.execPath, [path.join(root, 'bin', 'learn.mjs'), ...args], {
        cwd: root,
        // No resident check process (harness/resident/) outlives the test.
        env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', LEARN_ROOT: '', LEARN_RESIDENT: 'off', ...env },
      });
      started.push(child);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let ended = false;
      void exited.then(() => (ended = true));
      return {
        child,
        get out() {
          return out;
        },
        async waitFor(pattern, count = 1, timeoutMs = 60_000) {
          const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
          const deadline = Date.now() + timeoutMs;
          while ((out.match(global) ?? []).length < count && Date.now() < deadline && !ended) await new Promise((resolve) => setTimeout(resolve, 25));
          if ((out.match(global) ?? []).length < count) throw new Error(`Expected ${count}× ${pattern} in the output of learn ${args.join(' ')}, got:\n${out}`);
          return out;
        },
        exited,
      };
    },
    remove: () => {
      // A test that failed or timed out may leave its `learn` running: it must not outlive the test
      // (the programs it started end with it, their IPC channel closed).
      for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      endResident(root);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Saves `content` to `file` as many editors do: a temporary file beside it, renamed over it. */
export function atomicSave(file: string, content: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

/** Programs the copy's checks started that are still remembered as running. */
export function strays(copy: WorkbookCopy): string[] {
  const dir = copy.file('.learn', 'run');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

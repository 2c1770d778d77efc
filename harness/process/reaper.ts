// No learner program may outlive a check. Each one started is written down here; it is killed
// (with its whole process group) when its test file ends, and anything a crashed test worker left
// behind is swept up by `reapStrays()` at the end of every `learn check`, `learn watch` run and
// `npm test`.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runDir } from '../paths.ts';

/** Kills a program and everything it started. The program was spawned as a group leader (detached). */
export function killTree(pid: number): void {
  try {
    if (process.platform === 'win32') {
      spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' });
    } else {
      process.kill(-pid, 'SIGKILL');
    }
  } catch {
    // Already gone.
  }
}

export function remember(pid: number, entry: string): void {
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, String(pid)), JSON.stringify({ pid, entry, by: process.pid }));
}

export function forget(pid: number): void {
  fs.rmSync(path.join(runDir, String(pid)), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function starterOf(name: string): number | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(runDir, name), 'utf8')) as { by: number }).by;
  } catch {
    return undefined;
  }
}

/** On Linux, make sure a remembered pid still belongs to a harness-started program before killing. */
function isOurs(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('preload.ts');
  } catch {
    return process.platform !== 'linux';
  }
}

/**
 * Kills every remembered program whose starter is gone, or was this process: so a run sweeps up
 * its own leftovers and those of crashed runs, never those of another run going on beside it.
 * `keep`: this process's own programs that are not strays (the resident check process's zygote,
 * kept ready for the next check). Returns how many it killed.
 */
export function reapStrays(keep: ReadonlySet<number> = new Set()): number {
  let killed = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(runDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const pid = Number(name);
    const starter = starterOf(name);
    if (starter !== process.pid && starter !== undefined && isAlive(starter)) continue;
    if (keep.has(pid)) continue;
    if (Number.isInteger(pid) && isAlive(pid) && isOurs(pid)) {
      killTree(pid);
      killed++;
    }
    fs.rmSync(path.join(runDir, name), { force: true });
  }
  return killed;
}

// Servers a bench suite starts as plain child processes (a lesson's reference, or node:http doing
// the same job): when they are ready, and how much memory they hold.

import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** Resolves once the server printed its first line (every server here prints one when listening). */
export function waitForListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start within 10 s')), 10_000);
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before listening`)));
  });
}

/** A process's resident memory now (VmRSS) or at its peak (VmHWM), in bytes; Linux only. */
export function memory(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const kib = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

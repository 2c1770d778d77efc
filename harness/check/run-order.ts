// The order in which a run with more than one worker starts its test files. Results are reported
// in name order whatever the order they run in (check/relay-reporter.ts), so the order to start
// them is free, and it decides three things:
// - How soon the first verdict line comes: only with the first file in name order, whose results
//   are shown as they come (a later file's wait for the files before it). It always starts first.
// - How soon the first failure comes. A file that did not pass when it last ran is the
//   likeliest to fail, so those start next, in name order (on a first run: all of them, which is
//   name order, the order the learner meets the failures).
// - How long a pass takes. The files that passed start longest first, so that a long file does not
//   start last and run alone on one core while the other waits (the longest-processing-time rule).
//   Lesson 13: 03-streaming (1.9 s) after 01-files (0.7 s) on one worker took 2.6 s; started
//   beside 01-files, with 02, 04 and 05 after 01-files on the other worker, the pass takes as long
//   as 03-streaming does.
// The times are kept on disk (.learn/file-times.json), so that the first run of a new session
// (the resident process's first, after the check that started it) goes by them too: lesson 19's
// first served run took 2.5 s in name order, its later ones 1.8–2.0 s.

import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** How long each test file took when it last passed (its Vitest module id → ms), kept in `file`. */
export class FileTimes implements Pick<Reporter, 'onTestModuleEnd' | 'onTestRunEnd'> {
  private readonly lastPass = new Map<string, number>();
  private changed = false;

  constructor(private readonly file?: string) {
    if (!file) return;
    try {
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (typeof saved !== 'object' || saved === null) return;
      for (const [id, ms] of Object.entries(saved)) if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) this.lastPass.set(id, ms);
    } catch {
      // None yet, or unreadable (cut short, edited): the order is name order until a run passes.
    }
  }

  onTestModuleEnd(module: TestModule): void {
    // A file that failed, or was cancelled by another's failure, says nothing of its full length.
    if (module.state() === 'passed') this.lastPass.set(module.moduleId, module.diagnostic().duration);
    else this.lastPass.delete(module.moduleId);
    this.changed = true;
  }

  /** Writes the times, whole or not at all: a new file renamed over the old one. */
  onTestRunEnd(): void {
    if (!this.file || !this.changed) return;
    this.changed = false;
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(temporary, JSON.stringify(Object.fromEntries([...this.lastPass].map(([id, ms]) => [id, Math.round(ms)]))));
      fs.renameSync(temporary, this.file);
    } catch {
      // A read-only clone: the times stay in this session only.
      fs.rmSync(temporary, { force: true });
    }
  }

  /** `files` (in name order) in the order to start them. */
  order(files: string[]): string[] {
    const idOf = (file: string) => file.split('\\').join('/'); // Vite's ids use forward slashes
    const [first, ...rest] = files;
    if (first === undefined) return [];
    const notPassed = rest.filter((file) => !this.lastPass.has(idOf(file)));
    const passed = rest.filter((file) => this.lastPass.has(idOf(file)));
    passed.sort((a, b) => this.lastPass.get(idOf(b))! - this.lastPass.get(idOf(a))!);
    return [first, ...notPassed, ...passed];
  }
}

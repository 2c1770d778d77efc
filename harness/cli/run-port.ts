// Where `learn run` (or `learn spy`) is listening for a lesson right now, so that `learn probe`
// finds it without being told: .learn/ports/<slug>.json holds the port and the pid of the `learn`
// process that listens. A file whose process is gone is stale and ignored.

import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from '../paths.ts';

const portsDir = path.join(stateDir, 'ports');

/** Notes that this process listens for `slug` on `port`; returns a function that takes it back. */
export function recordRunPort(slug: string, port: number): () => void {
  const file = path.join(portsDir, `${slug}.json`);
  try {
    fs.mkdirSync(portsDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ port, pid: process.pid }));
  } catch {
    return () => undefined; // a read-only workbook: probe falls back to --port and 3000
  }
  return () => {
    try {
      if ((JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number }).pid === process.pid) fs.rmSync(file, { force: true });
    } catch {
      // gone already
    }
  };
}

/** The port `learn run` listens on for `slug`, if it is running. */
export function runningPort(slug: string): number | undefined {
  try {
    const { port, pid } = JSON.parse(fs.readFileSync(path.join(portsDir, `${slug}.json`), 'utf8')) as { port: number; pid: number };
    process.kill(pid, 0); // throws when no such process
    return Number.isInteger(port) ? port : undefined;
  } catch {
    return undefined;
  }
}

// What the stream checks share: reading a chunked body one chunk at a time (to see what arrived
// when), how much of its files the server has read (/proc/PID/io on Linux), and which files under
// a folder it holds open (/proc/PID/fd, or lsof).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LessonFailure, quote, type RawClient } from '#harness/testing/index.ts';

const CRLF = Buffer.from('\r\n');

/** One chunk's data, or undefined for the last chunk (its trailer section read too). RFC 9112 §7.1. */
export async function readChunk(client: RawClient, options: { timeoutMs: number; why: string; hint: string }): Promise<Buffer | undefined> {
  const line = await client.readUntil(CRLF, { ...options, max: 4096 });
  const size = /^([0-9A-Fa-f]+)[ \t]*(;[^\r\n]*)?\r\n$/.exec(line.toString('latin1'));
  if (!size) throw new LessonFailure({ message: `Expected a chunk-size line, received ${quote(line)}.`, spec: 'RFC 9112 §7.1' });
  const n = Number.parseInt(size[1]!, 16);
  if (n === 0) {
    while ((await client.readUntil(CRLF, { ...options, max: 64 * 1024 })).length > 2);
    return undefined;
  }
  const data = await client.readExactly(n, options);
  const end = await client.readExactly(2, options);
  if (!end.equals(CRLF)) throw new LessonFailure({ message: `Expected "\\r\\n" after a chunk of ${n} bytes, received ${quote(end)}.`, spec: 'RFC 9112 §7.1' });
  return data;
}

/** Bytes the process has read so far (any file or socket), or undefined where /proc/PID/io is not there. */
export function bytesRead(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^rchar:\s*(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'latin1'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** How many files under `dir` the process holds open, or undefined where that cannot be seen. */
export function openFilesUnder(pid: number | undefined, dir: string): number | undefined {
  if (pid === undefined) return undefined;
  const real = fs.realpathSync(dir);
  const inside = (file: string) => file.startsWith(real + path.sep) || file.startsWith(dir + path.sep);
  if (process.platform === 'linux') {
    let names: string[];
    try {
      names = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      return undefined;
    }
    let count = 0;
    for (const name of names) {
      try {
        if (inside(fs.readlinkSync(`/proc/${pid}/fd/${name}`))) count++;
      } catch {
        // closed while we looked
      }
    }
    return count;
  }
  try {
    const out = execFileSync('lsof', ['-p', String(pid), '-Fn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter((line) => line.startsWith('n') && inside(line.slice(1))).length;
  } catch {
    return undefined;
  }
}

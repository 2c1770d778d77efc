// Reads the exception that ended a Node program out of its stderr. Node prints an uncaught
// exception the same way every time:
//
//   node:events:497                          <- where it was thrown (a file and line)
//         throw er; // Unhandled 'error' event
//         ^                                  <- a caret under the throw
//
//   Error: write ECONNRESET                  <- the exception's first line: what we want
//       at afterWriteDispatched (node:internal/stream_base_commons:161:15)
//       at Socket.<anonymous> (/…/lessons/01-tcp-echo/server.ts:26:12)
//   Emitted 'error' event on Socket instance at:
//       …
//   { errno: -104, code: 'ECONNRESET', syscall: 'write' }
//
//   Node.js v20.19.0                         <- the last line
//
// Only the last such block counts (a program may log errors of its own before it dies).

import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Crash {
  /** The exception's first line: `Error: write ECONNRESET`, `TypeError: Cannot read …`. */
  exception: string;
  /** It was an 'error' event that no listener handled. */
  unhandledErrorEvent: boolean;
  /** The error's code, when it printed one: `ECONNRESET`. */
  errorCode?: string;
  /** The first stack frame in the program's own files, relative to `root`: `lessons/01-tcp-echo/server.ts:26`. */
  where?: string;
}

const CARET = /^\s*\^+\s*$/;
const FRAME = /^\s+at /;
const VERSION = /^Node\.js v\d+/;

/** The crash in `stderr` (its lines, in order), or undefined when it shows none. */
export function crashFrom(stderr: readonly string[], root: string): Crash | undefined {
  // The block ends at the last "Node.js vNN" line (or the end, when that line is missing).
  let end = stderr.length;
  for (let i = stderr.length - 1; i >= 0; i--) {
    if (VERSION.test(stderr[i]!)) {
      end = i;
      break;
    }
  }
  let at = -1;
  let caret = -1;
  for (let i = end - 1; i >= 0 && at < 0; i--) {
    if (CARET.test(stderr[i]!)) {
      caret = i;
      at = nextText(stderr, i + 1, end);
    }
  }
  if (at < 0) {
    // No source line with a caret: the exception is the line above its first stack frame.
    const frame = lastBlockFrame(stderr, end);
    if (frame > 0) at = frame - 1;
  }
  if (at < 0 || FRAME.test(stderr[at]!)) return undefined;
  const block = stderr.slice(Math.max(0, at - 4), end);
  const exception = stderr[at]!.trim().replace(/\s*\{$/, '');
  return {
    exception,
    unhandledErrorEvent: block.some((line) => /Unhandled 'error' event|Emitted 'error' event/.test(line)),
    errorCode: block.map((line) => /^\s*code: '([A-Z0-9_]+)'/.exec(line)?.[1]).find(Boolean) ?? /\b(E[A-Z]{3,})\b/.exec(exception)?.[1],
    // The first frame of the program's own, else the place printed above the caret (`file:line`).
    where: ownFrame(stderr.slice(at + 1, end), root) ?? (caret >= 2 ? ownPlace(stderr[caret - 2]!.trim(), root) : undefined),
  };
}

function nextText(lines: readonly string[], from: number, end: number): number {
  for (let i = from; i < end; i++) if (lines[i]!.trim() !== '') return i;
  return -1;
}

/** The first frame of the last run of stack frames before `end`. */
function lastBlockFrame(lines: readonly string[], end: number): number {
  let i = end - 1;
  while (i >= 0 && !FRAME.test(lines[i]!)) i--;
  if (i < 0) return -1;
  while (i > 0 && FRAME.test(lines[i - 1]!)) i--;
  return i;
}

/** `lessons/01-tcp-echo/server.ts:26` from the first frame (of the first run) outside Node and node_modules. */
function ownFrame(lines: readonly string[], root: string): string | undefined {
  let seen = false;
  for (const line of lines) {
    if (!FRAME.test(line)) {
      if (seen) break;
      continue; // the rest of a message that spans lines
    }
    seen = true;
    const place = /\(?((?:file:\/\/)?[^\s()]+:\d+):\d+\)?$/.exec(line.trim());
    const own = place && ownPlace(place[1]!, root);
    if (own) return own;
  }
  return undefined;
}

/** `file:line` relative to `root`, unless the file is Node's own or a dependency's. */
function ownPlace(place: string, root: string): string | undefined {
  const match = /^((?:file:\/\/)?.+):(\d+)$/.exec(place);
  if (!match) return undefined;
  let file = match[1]!;
  if (file.startsWith('node:') || file.includes('node_modules')) return undefined;
  if (file.startsWith('file://')) file = fileURLToPath(file);
  if (!path.isAbsolute(file)) return undefined;
  return `${path.relative(root, file).split(path.sep).join('/')}:${match[2]}`;
}

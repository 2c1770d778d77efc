// What the `learn check` client (bin/learn.mjs, client.mjs) and the resident check process
// (server.ts) agree on: where the socket is, the key that says whether the process was started
// from the code on disk now, and how messages travel. Plain JavaScript: the client reads it before
// anything heavy loads (types in protocol.d.mts).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Unix socket paths are limited to 108 bytes on Linux (sun_path), 104 on macOS; past this, the
 * socket goes to the temporary folder under a name made from the clone's path (still one per clone).
 */
const SOCKET_PATH_MAX = 100;

/** The socket of the clone at `root`; undefined where Unix sockets are not used (Windows: run in-process). */
export function socketPath(root) {
  if (process.platform === 'win32') return undefined;
  const beside = path.join(root, '.learn', 'resident.sock');
  if (Buffer.byteLength(beside) <= SOCKET_PATH_MAX) return beside;
  return path.join(os.tmpdir(), `learn-resident-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.sock`);
}

/** Where the running resident process says who it is (its pid: tests and `Workbook.remove` end it). */
export function infoPath(root) {
  return path.join(root, '.learn', 'resident.json');
}

/** The resident process's own output (it has no terminal): why it started, served, refused, exited. */
export function logPath(root) {
  return path.join(root, '.learn', 'resident.log');
}

/**
 * What the resident process's code and behaviour depend on, besides the learner's files: the
 * harness, the checks, the references, the manifest, the dependencies, this command, and the Node
 * that runs it. A change to any (size or modification time) makes a running process stale.
 */
const KEYED = ['harness', 'solutions', 'bin', 'lessons/manifest.ts', 'package-lock.json', 'package.json', 'tsconfig.json', 'vitest.config.ts'];

/**
 * Variables read once when a module loads (LEARN_TRACE, LEARN_STALL_GRACE_MS, …): a process started
 * with other values would behave otherwise. LEARN_RESIDENT only says whether to use one.
 */
function keyedVariables(env) {
  return Object.keys(env)
    .filter((name) => (name.startsWith('LEARN_') && name !== 'LEARN_RESIDENT' && name !== 'LEARN_TRACE_ORIGIN') || name === 'NODE_OPTIONS')
    .sort()
    .map((name) => `${name}=${env[name]}`);
}

/** The staleness key of the clone at `root` as it is on disk now (a few ms: stats, no reads). */
export function stalenessKey(root, env = process.env) {
  const lines = [process.version, root, ...keyedVariables(env)];
  const add = (file) => {
    try {
      const stat = fs.statSync(file);
      lines.push(`${path.relative(root, file)} ${stat.size} ${stat.mtimeMs}`);
    } catch {
      lines.push(`${path.relative(root, file)} -`);
    }
  };
  const addTree = (relative) => {
    const top = path.join(root, relative);
    let entries;
    try {
      entries = fs.readdirSync(top, { recursive: true, withFileTypes: true });
    } catch {
      return add(top); // a file, or nothing
    }
    for (const entry of entries) if (!entry.isDirectory()) add(path.join(entry.parentPath ?? entry.path, entry.name));
  };
  for (const relative of KEYED) addTree(relative);
  // The hidden checks: every lesson's .check/ (the learner's own files are seen fresh every run).
  for (const lesson of fs.readdirSync(path.join(root, 'lessons'))) addTree(path.join('lessons', lesson, '.check'));
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/** Messages are JSON, one a line. Calls `onMessage` for each line that arrives on `socket`. */
export function readMessages(socket, onMessage) {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (text) => {
    buffered += text;
    let end;
    while ((end = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        continue; // not ours: ignored
      }
      onMessage(message);
    }
  });
}

export function send(socket, message) {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
}

// The folder the static-files checks serve, made fresh for each test file under .learn/: a root
// with text, binary and odd names, and, beside it, secrets the server must never hand out.
//
//   tree-…/secret.txt              outside the root: every escape aims at it
//   tree-…/site-private/secret.txt the root's sibling, whose name starts like the root's
//   tree-…/outside/secret.txt      a folder outside, reached through a symlink
//   tree-…/site/                   the root (--root)
//   tree-…/site/linked-index/      a folder whose index.html is a symlink to the secret outside
//   tree-…/site/index-dir/         a folder whose index.html is itself a folder

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTree } from '#harness/testing/index.ts';

/** Every byte value, twice: any decoding, re-encoding or text handling changes some of them. */
export const BINARY = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
export const HELLO = 'Hello, files!\nGrüße aus Köln — 你好 👋\n';
export const INDEX = "<!doctype html>\n<title>root</title>\n<p>The root folder's page.</p>\n";
export const DOCS_INDEX = "<!doctype html>\n<title>docs</title>\n<p>A nested folder's page.</p>\n";
export const SECRET = 'TOP SECRET: the server must never send this line.\n';

export const TEXT_FILES: Record<string, string> = {
  'hello.txt': HELLO,
  'index.html': INDEX,
  'docs/index.html': DOCS_INDEX,
  'docs/notes.txt': 'Notes in a nested folder.\n',
  'docs/deeper/leaf.txt': 'A leaf three folders down.\n',
  'no-index/file.txt': 'A folder without an index.html.\n',
  'dossier x/plan.txt': 'A folder with a space in its name.\n',
  'café.txt': 'A file whose name is not ASCII.\n',
  '%2e.txt': 'A file literally named "%2e.txt".\n',
  'a+b.txt': 'A plus sign is a plus sign in a path.\n',
  'SHOUT.TXT': 'An extension in capitals.\n',
  'style.css': 'body { color: #333; }\n',
  'app.js': 'console.log("hi");\n',
  'data.json': '{ "ok": true }\n',
  'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
  README: 'No extension at all.\n',
  'empty.txt': '',
};

export interface Site {
  /** The folder the server is told to serve. */
  root: string;
  /** The folder that holds it and the secrets. */
  top: string;
  /** Whether a FIFO could be made (not on Windows). */
  fifo: boolean;
  /** Whether symlinks could be made (Windows needs a privilege for them). */
  symlinks: boolean;
}

/** Makes the tree; `extra` adds files to the root (name → content). */
export function makeSite(extra: Record<string, string | Buffer> = {}): Site {
  const tree: Record<string, string | Buffer> = {
    'secret.txt': SECRET,
    'site-private/secret.txt': SECRET,
    'outside/secret.txt': SECRET,
    'site/binary.bin': BINARY,
    'site/image.png': BINARY,
    'site/index-dir/index.html/inner.txt': 'A folder named index.html is no page.\n',
  };
  for (const [name, content] of Object.entries({ ...TEXT_FILES, ...extra })) tree[`site/${name}`] = content;
  const top = makeTree(tree);
  const root = path.join(top, 'site');
  // A file name with a backslash in it (a plain character on Linux and macOS, a separator on Windows).
  if (process.platform !== 'win32') fs.writeFileSync(path.join(root, 'back\\slash.txt'), SECRET);
  let symlinks = true;
  try {
    fs.symlinkSync(path.join(top, 'secret.txt'), path.join(root, 'escape.txt'));
    fs.symlinkSync(path.join(top, 'outside'), path.join(root, 'outside-link'), 'dir');
    fs.symlinkSync('hello.txt', path.join(root, 'alias.txt'));
    fs.symlinkSync('docs', path.join(root, 'docs-link'), 'dir');
    fs.mkdirSync(path.join(root, 'linked-index'));
    fs.symlinkSync(path.join(top, 'secret.txt'), path.join(root, 'linked-index', 'index.html'));
  } catch {
    symlinks = false;
  }
  let fifo = false;
  if (process.platform !== 'win32') {
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe.txt')]);
      fifo = true;
    } catch {
      // no mkfifo: that case is skipped
    }
  }
  return { root, top, fifo, symlinks };
}

/**
 * How many file descriptors the process `pid` holds open on files under `dir`, or undefined where
 * that cannot be seen (Linux has /proc/PID/fd; elsewhere lsof, when installed).
 */
export function openFilesUnder(pid: number | undefined, dir: string): number | undefined {
  if (pid === undefined) return undefined;
  const real = fs.realpathSync(dir);
  const inside = (file: string) => file === real || file.startsWith(real + path.sep) || file.startsWith(dir + path.sep);
  if (process.platform === 'linux') {
    const fds = `/proc/${pid}/fd`;
    let names: string[];
    try {
      names = fs.readdirSync(fds);
    } catch {
      return undefined;
    }
    let count = 0;
    for (const name of names) {
      try {
        if (inside(fs.readlinkSync(path.join(fds, name)))) count++;
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

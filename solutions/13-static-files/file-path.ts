// static-files: from a request-target to a file under the root folder. The path is percent-decoded
// exactly once, checked, and its "." and ".." segments resolved; what comes out must still be
// inside the root. Then the same test again on the real path, with every symlink followed: a
// link can point anywhere, and its name alone says nothing about where.

import fs from 'node:fs/promises';
import path from 'node:path';
import { pathOf } from '../08-http-response/router.ts';

/**
 * The file a request-target names under `root` (an absolute path), or undefined when the target
 * must be refused: it cannot be decoded, it holds a NUL or a backslash, or it leads out of the root.
 * Nothing is read from the disk here; a trailing "/" is kept (it says "a folder").
 */
export function filePathFor(root: string, target: string): string | undefined {
  // RFC 9112 §3.2: the path is the part before "?", also in the absolute form proxies send.
  const rawPath = pathOf(target);
  if (!rawPath.startsWith('/')) return undefined; // `*` or host:port: no file
  // RFC 3986 §2.1: percent-encoding, decoded exactly once. Decoding twice would turn "%252e%252e"
  // into ".." after the checks below had passed. "%zz" and bytes that are not UTF-8 throw.
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  // A NUL ends a path for the OS (Node refuses it outright); a backslash is a separator on Windows.
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  // path.join resolves "." and ".." the way the OS would, and keeps a trailing separator.
  const file = path.join(root, decoded);
  return isInside(root, file) ? file : undefined;
}

/** Whether `file` is `root` itself or somewhere below it. `/srv/site-old` is not inside `/srv/site`. */
export function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  if (relative === '') return true;
  // A bare prefix test (file.startsWith(root)) would let the sibling folder through.
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/**
 * The real path of `file` (every symlink followed) if it exists and is still inside `realRoot`
 * (the root's own real path); undefined otherwise.
 */
export async function realPathInside(realRoot: string, file: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch {
    // ENOENT, ENOTDIR ("file.txt/"), ELOOP, EACCES …: nothing we can serve.
    return undefined;
  }
  return isInside(realRoot, real) ? real : undefined;
}

// static-files: from a request-target to a file under the root folder. The path is percent-decoded
// exactly once, checked, and its "." and ".." segments resolved; what comes out must still be
// inside the root. Then the same test again on the real path, with every symlink followed: a
// link can point anywhere, and its name alone says nothing about where.

import fs from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from '../07-http-request-head/request-head.ts';
import { pathOf } from '../08-http-response/router.ts';

/**
 * The file a request-target names under `root` (an absolute path), or undefined when the target
 * must be refused: it cannot be decoded, it holds a NUL or a backslash, or it leads out of the root.
 * Nothing is read from the disk here; a trailing "/" is kept (it says "a folder").
 */
export function filePathFor(root: string, target: string): string | undefined {
  // TODO: 1. the path: pathOf(target) (the part before "?"); not starting with "/": undefined.
  //       2. decodeURIComponent() it, ONCE; when it throws (%zz, bytes that are not UTF-8): undefined.
  //       3. a decoded path containing "\0" (NUL) or "\\" (backslash): undefined.
  //       4. path.join(root, decoded): it resolves "." and ".." and keeps a trailing "/".
  //       5. return it if isInside(root, file), else undefined.
  void root;
  void target;
  void pathOf;
  throw new HttpError(501, 'filePathFor is not written yet (TODO in file-path.ts).');
}

/** Whether `file` is `root` itself or somewhere below it. `/srv/site-old` is not inside `/srv/site`. */
export function isInside(root: string, file: string): boolean {
  // TODO: path.relative(root, file) is "" for the root itself, and starts with ".." (followed by
  //       path.sep, or alone) for anything outside. (Why not file.startsWith(root)? See the README.)
  void root;
  void file;
  throw new HttpError(501, 'isInside is not written yet (TODO in file-path.ts).');
}

/**
 * The real path of `file` (every symlink followed) if it exists and is still inside `realRoot`
 * (the root's own real path); undefined otherwise.
 */
export async function realPathInside(realRoot: string, file: string): Promise<string | undefined> {
  // TODO: fs.realpath(file) follows every symlink; when it throws (ENOENT, ENOTDIR for
  //       "file.txt/", ELOOP …): undefined. Return the real path if isInside(realRoot, real).
  void realRoot;
  void file;
  void fs;
  throw new HttpError(501, 'realPathInside is not written yet (TODO in file-path.ts).');
}

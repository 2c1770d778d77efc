// What the streaming checks of static-files share (03-streaming, 04-file-bytes): sizes, a byte
// pattern that shows any wrong byte, the wait for the server to close its files, and readers.

import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { check, LessonFailure, type RawClient, type Server } from '#harness/testing/index.ts';
import { openFilesUnder } from './tree.ts';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** Bytes at position p are PATTERN(p): a wrong byte anywhere shows, and nothing is random. */
export function pattern(start: number, length: number): Buffer {
  // Buffer.alloc repeats a Buffer given as the fill: 251 bytes, starting where `start` falls.
  return Buffer.alloc(length, Buffer.from(Array.from({ length: 251 }, (_, i) => (start + i) % 251)));
}

/** A sparse file of `size` bytes: no disk space (the file system stores the hole; reads give zeros). */
export function sparseFile(file: string, size: number): void {
  fs.writeFileSync(file, '');
  fs.truncateSync(file, size);
}

export const STREAM =
  'Read the file a piece at a time (FileHandle.read into a new Buffer), and yield each piece: the writer sends it and waits for "drain" before it asks for the next.';

/** How many files under `root` the server holds open (undefined where they cannot be counted). */
export async function openFiles(server: Server, root: string): Promise<number | undefined> {
  return openFilesUnder(server.program.pid, root);
}

/**
 * Waits (bounded) for the server to hold no file under the root open; fails with the count. A
 * FileHandle nobody closed may also have been closed by the garbage collector in the meantime,
 * which Node reports with a warning: that counts as a leak too (it only hides it for a while).
 */
export async function expectNoOpenFiles(server: Server, root: string, after: string, hint: string, since: number): Promise<void> {
  let open = await openFiles(server, root);
  const deadline = performance.now() + 3000;
  while (open !== undefined && open > 0 && performance.now() < deadline) {
    await delay(20);
    open = await openFiles(server, root);
  }
  await delay(100); // a warning printed a moment ago is still on its way through the pipe
  const collectedLater = server.program.output.find((line) => line.at >= since && /Closing file descriptor \d+ on garbage collection/.test(line.text));
  check(collectedLater === undefined, {
    message: `Expected the server to close every file it opened ${after}, but Node had to close one for it: "${collectedLater?.text}".`,
    why: 'A FileHandle that is never closed keeps its descriptor until the garbage collector happens to find it (Node warns when it does).',
    hint,
  });
  check(open === undefined || open === 0, {
    message: `Expected the server to hold no file under the root open ${after}, but it holds ${open} open file handle${open === 1 ? '' : 's'}.`,
    why: 'Each open file holds a descriptor, and a process gets a limited number (often 1024). A server that leaks one per aborted download stops serving anything after a while (EMFILE).',
    spec: 'Node.js docs: fs.promises FileHandle (close)',
    hint,
  });
}

export async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of body) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** The body's bytes until `length` of them arrived or the server closed, whichever comes first. */
export async function readUntilCloseOrLength(client: RawClient, length: number, timeoutMs: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let got = 0;
  while (got < length) {
    try {
      const piece = await client.readExactly(Math.min(MiB, length - got), {
        timeoutMs,
        why: 'The file shrank: the server must either close the connection or (wrongly) go on.',
      });
      pieces.push(piece);
      got += piece.length;
    } catch (error) {
      if (!(error instanceof LessonFailure) || client.state === 'open') throw error;
      pieces.push(await client.readFor(0));
      break;
    }
  }
  return Buffer.concat(pieces);
}

export function firstWrongByte(body: Buffer): number {
  if (body.equals(pattern(0, body.length))) return -1;
  for (let i = 0; i < body.length; i++) if (body[i] !== i % 251) return i;
  return -1;
}

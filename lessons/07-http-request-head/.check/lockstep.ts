// Feeds bytes to learner code under test over a real connection, one piece per read: the next
// piece leaves only once the learner's socket has delivered the one before. Writes with a pause
// between them usually arrive as separate reads, but a busy machine may merge them; this cannot.

import type net from 'node:net';
import type { RawClient, Transcript } from '#harness/testing/index.ts';

/**
 * Sends `pieces` from `peer` to `socket` (the learner's end), each only after `socket` emitted the
 * one before (one 'data' event a piece). Returns at once; the pieces follow as the learner reads.
 * Written on the raw socket, with one note in the transcript instead of a line a piece.
 */
export function lockstep(peer: RawClient, socket: net.Socket, pieces: Buffer[], transcript: Transcript, what: string): void {
  transcript.note(`peer sends ${what}, one piece per read of your code`);
  let next = 1;
  socket.on('data', () => {
    if (next < pieces.length) peer.socket.write(pieces[next++]!);
  });
  if (pieces.length > 0) peer.socket.write(pieces[0]!);
}

/** `bytes` cut after every CR and every LF. */
export function cutAtLineEnds(bytes: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let last = 0;
  bytes.forEach((byte, i) => {
    if (byte === 0x0d || byte === 0x0a) {
      pieces.push(bytes.subarray(last, i + 1));
      last = i + 1;
    }
  });
  if (last < bytes.length) pieces.push(bytes.subarray(last));
  return pieces;
}

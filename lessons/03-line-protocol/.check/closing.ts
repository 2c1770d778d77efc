// Lesson-local helper for the line-protocol checks: a server that closes after its last reply
// must do it gracefully (FIN), even while the client is still sending. Candidate for the harness
// (lesson 4 has the same check for its error line).

import { check, type RawClient } from '#harness/testing/index.ts';

export const LINGER = {
  why: 'Bytes that arrive at a socket already closed, or are still unread when it closes, make the OS answer with RST instead of FIN, and a reset can wipe out the reply the client has not read yet. Servers "linger": they end their side, then read and drop until the client closes (nginx calls it lingering_close).',
  spec: 'RFC 1122 §4.2.2.13 (closing with data pending); RFC 9293 §3.6',
  hint: 'After the last reply, end() and keep reading (and dropping) until EOF before you destroy the socket.',
};

/**
 * The server has sent its last reply. The client goes on sending for a while, as a client that has
 * not read the reply yet would; the connection must still end with FIN, never RST. Each late write
 * runs into a reset if the server's socket is already gone.
 */
export async function expectGracefulClose(client: RawClient, what: string): Promise<void> {
  await client.expectClose({ timeoutMs: 2000, hint: `After ${what}, end the connection.` });
  for (const late of ['and this line comes late\n', 'and this one even later\n']) {
    if (client.socket.writable) await client.send(late).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  check(client.state !== 'rst', { message: `Expected the server to close with FIN after ${what}, but it reset the connection (RST).`, ...LINGER });
}

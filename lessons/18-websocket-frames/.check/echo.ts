// Helpers shared by the websocket-frames checks: open a connection to /echo, send frames, read the
// echo, and expect the server to fail the connection with a close code and then close TCP.

import { encodeFrame, expectCloseFrame, expectMessage, openWebSocket, type RawClient, type Server, type Teaching } from '#harness/testing/index.ts';

export const FRAMING = 'RFC 6455 §5.2 (base framing)';
export const FRAGMENTS = 'RFC 6455 §5.4 (fragmentation)';
export const CONTROL = 'RFC 6455 §5.5 (control frames)';

/** A connection to /echo, upgraded. */
export async function open(server: Server, name?: string): Promise<RawClient> {
  const { client } = await openWebSocket(server, { name });
  return client;
}

/** Sends one unfragmented message and expects it back, the same type, byte for byte. */
export async function roundTrip(
  client: RawClient,
  type: 'text' | 'binary',
  data: Buffer | string,
  teaching: Teaching & { timeoutMs?: number } = {},
): Promise<void> {
  await client.send(encodeFrame(type === 'text' ? 0x1 : 0x2, Buffer.from(data)));
  await expectMessage(client, { type, data }, teaching);
}

/**
 * Expects the server to fail the connection: a close frame with one of `codes` (read from the
 * server's own close frame), and then the end of the TCP connection, without waiting for the
 * client, within a bound.
 */
export async function expectFailure(client: RawClient, codes: number[], teaching: Teaching & { after?: string } = {}): Promise<void> {
  await expectCloseFrame(client, codes, { spec: 'RFC 6455 §7.1.7 (fail the WebSocket connection), §7.4.1 (status codes)', ...teaching });
  await client.expectClose({
    timeoutMs: 3000,
    why: 'After its close frame, a server that fails the connection closes TCP too; it need not wait for the client, which here says nothing more.',
    spec: 'RFC 6455 §7.1.7, §7.1.1',
    hint: 'After sending the close frame, end the socket (and stop reading frames).',
  });
}

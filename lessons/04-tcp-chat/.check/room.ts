// Helpers shared by the tcp-chat checks: joining the room, and waiting for the last test's
// clients to be gone so that their "left" notices don't land in the next test.

import { check, type RawClient, type Server } from '#harness/testing/index.ts';

export const PROTOCOL = 'lessons/04-tcp-chat/README.md, "The protocol"';

/** Connects as `name`, sends the name line and waits for `* welcome name`. */
export async function join(server: Server, name: string): Promise<RawClient> {
  const client = await server.connect(name);
  await client.send(`${name}\n`);
  await client.expect(`* welcome ${name}\n`, {
    why: 'The first line a client sends is its name. The server answers a good name with "* welcome <name>" and a newline.',
    spec: PROTOCOL,
    hint: "Collect bytes until a '\\n', take the text before it as the name, and write `* welcome ${name}\\n` back.",
  });
  return client;
}

/**
 * Joins each name in turn. Everyone already in the room hears each newcomer, so this also reads
 * the `* name joined` notices that belong to the setup, not to what the test is about.
 */
export async function joinAll(server: Server, names: string[]): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (const name of names) {
    const client = await join(server, name);
    for (const earlier of clients) {
      await earlier.expect(`* ${name} joined\n`, {
        why: 'When a client joins, everyone already in the room is told, with "* <name> joined".',
        spec: PROTOCOL,
        hint: 'After welcoming a name, write `* ${name} joined\\n` to every other client that has a name.',
      });
    }
    clients.push(client);
  }
  return clients;
}

/**
 * Leaves politely at the end of a test: every client half-closes at once and reads until the
 * server closes too. Closing abruptly instead would reset connections that still had notices on
 * their way, and a crash that causes would be blamed on the next test. Never fails by itself.
 */
export async function farewell(clients: RawClient[]): Promise<void> {
  await Promise.all(
    clients
      .filter((client) => client.state === 'open')
      .map((client) =>
        client
          .end()
          .then(() => client.expectClose({ timeoutMs: 1000 }))
          .catch(() => undefined),
      ),
  );
}

/** Waits (up to 2 s) until the server holds no client connections. Never fails by itself. */
export async function emptyRoom(server: Server): Promise<void> {
  const deadline = performance.now() + 2000;
  while (performance.now() < deadline) {
    const stats = await server.stats();
    if (!stats || (stats.resources.TCPSocketWrap ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The server has sent its last line to `client` and closes. The client goes on sending for a while,
 * as one that has not read the error yet would; the connection must still end with FIN, never
 * RST. (The same check as lesson 3's closing.ts; a candidate for the harness.)
 */
export async function expectGracefulClose(client: RawClient, what: string): Promise<void> {
  await client.expectClose({ timeoutMs: 2000, hint: `After ${what}, end the connection.` });
  for (const late of ['and this line comes late\n', 'and this one even later\n']) {
    if (client.socket.writable) await client.send(late).catch(() => undefined);
    await sleep(50);
  }
  check(client.state !== 'rst', {
    message: `Expected the server to close with FIN after ${what}, but it reset the connection (RST).`,
    why: 'Bytes that arrive at a socket already closed, or are still unread when it closes, make the OS answer with RST instead of FIN, and a reset can wipe out the error line before the client reads it.',
    spec: 'RFC 1122 §4.2.2.13 (closing with data pending); lesson 3 (line-protocol), "Closing gracefully"',
    hint: "Refuse with socket.end(errorLine), not destroy(), and keep dropping what the client sends until it closes (the 'data' handler returns early once socket.writableEnded).",
  });
}

// Fixtures for UDP lessons.
// - udpServerTest(slug): serverTest plus `udp(name?)`, a recording UDP client aimed at the
//   learner's program (started with transport 'udp': the preload reports its bind).
// - lossyTest: pairTest plus `lossyEcho(schedule?)`, a lossy echo server in the test process,
//   for checks that drive the learner's UDP client code.
// Sockets opened through either are closed at the end of the test.

import { LossyEchoServer, type Schedule } from '../wire/lossy-echo.ts';
import { UdpClient } from '../wire/udp.ts';
import { serverTest, type ServerOptions } from './fixtures.ts';
import { pairTest } from './pair.ts';
import { explainWireError } from './explain.ts';

export interface UdpFixture {
  /** A new UDP socket that sends to the program's port, named `u1`, `u2`, … unless named here. */
  udp: (name?: string) => Promise<UdpClient>;
}

export function udpServerTest(slug: string, options: ServerOptions = {}) {
  return serverTest(slug, options).extend<UdpFixture>({
    udp: async ({ server }, use) => {
      const opened: UdpClient[] = [];
      await use(async (name = `u${opened.length + 1}`) => {
        const client = await UdpClient.open({ name, port: server.port, transcript: server.transcript, peer: server.program, explain: explainWireError });
        opened.push(client);
        return client;
      });
      for (const client of opened) client.close();
    },
  });
}

export interface LossyFixture {
  /** Starts a lossy echo server (default schedule: perfect); closed at the end of the test. */
  lossyEcho: (schedule?: Schedule) => Promise<LossyEchoServer>;
}

export const lossyTest = pairTest.extend<LossyFixture>({
  lossyEcho: async ({ transcript }, use) => {
    const servers: LossyEchoServer[] = [];
    await use(async (schedule) => {
      const server = await LossyEchoServer.start({ transcript, schedule });
      servers.push(server);
      return server;
    });
    for (const server of servers) server.close();
  },
});

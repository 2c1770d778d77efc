// Hidden tests for http2-frames, part 5: the server expects the ACK of its SETTINGS (RFC 9113
// §6.5.3). Run with --settings-timeout 800, so that a client that never acknowledges is told so.

import { serverTest, openH2, expectH2Frame, expectGoaway, H2Error } from '#harness/testing/index.ts';
import { ping, pingAck, PING_TEACHING } from './h2.ts';

const test = serverTest('http2-frames', { args: ['--settings-timeout', '800'] });

test('answers a client that never acknowledges its SETTINGS with GOAWAY SETTINGS_TIMEOUT', async ({ server }) => {
  const client = await openH2(server, { ack: false });
  await expectGoaway(client, H2Error.SETTINGS_TIMEOUT, 'no ACK of the server SETTINGS within --settings-timeout (800 ms)', {
    timeoutMs: 4000,
    why: 'A sender of SETTINGS that gets no ACK in a reasonable time may end the connection with SETTINGS_TIMEOUT; this server waits --settings-timeout ms.',
    spec: 'RFC 9113 §6.5.3, §7',
    hint: 'Start a timer when the SETTINGS frame goes out, clear it when a SETTINGS with the ACK flag arrives, and fail with SETTINGS_TIMEOUT when it fires.',
  });
});

test('keeps a connection whose client acknowledged its SETTINGS past the timeout', async ({ server }) => {
  const client = await openH2(server);
  await client.expectNothingMore(1300, {
    why: 'The ACK arrived with the client preface: the timer waiting for it must stop.',
    spec: 'RFC 9113 §6.5.3',
    hint: 'Clear the timer when the ACK of your SETTINGS arrives.',
  });
  await client.send(ping());
  await expectH2Frame(client, pingAck(), 'a PING ACK after the timeout has passed', PING_TEACHING);
});

// Hidden tests for http2-frames, part 5: the server expects the ACK of its SETTINGS (RFC 9113
// §6.5.3). Run with a short --settings-timeout, so that a client that never acknowledges is told so
// without a long wait.

import { serverTest, openH2, expectH2Frame, expectGoaway, H2Error } from '#harness/testing/index.ts';
import { ping, pingAck, PING_TEACHING } from './h2.ts';

/**
 * The server's wait for the ACK of its SETTINGS. Well above a loopback round trip on a loaded
 * machine (the second test's client acknowledges at once and must not be timed out), and short,
 * because the first test waits all of it.
 */
const SETTINGS_TIMEOUT_MS = 400;
/**
 * How long the second test watches a connection that acknowledged: past the moment a timer that
 * was never cleared would fire (SETTINGS_TIMEOUT_MS after the server's SETTINGS went out, before
 * the watch starts), with 500 ms to spare for a late timer on a loaded machine. A program that
 * has cleared its timer is proved quiet long before (process/quiet.ts), and the watch ends there.
 */
const WATCH_MS = SETTINGS_TIMEOUT_MS + 500;

const test = serverTest('http2-frames', { args: ['--settings-timeout', String(SETTINGS_TIMEOUT_MS)] });

test('answers a client that never acknowledges its SETTINGS with GOAWAY SETTINGS_TIMEOUT', async ({ server }) => {
  const client = await openH2(server, { ack: false });
  await expectGoaway(client, H2Error.SETTINGS_TIMEOUT, `no ACK of the server SETTINGS within --settings-timeout (${SETTINGS_TIMEOUT_MS} ms)`, {
    timeoutMs: 4000,
    why: 'A sender of SETTINGS that gets no ACK in a reasonable time may end the connection with SETTINGS_TIMEOUT; this server waits --settings-timeout ms.',
    spec: 'RFC 9113 §6.5.3, §7',
    hint: 'Start a timer when the SETTINGS frame goes out, clear it when a SETTINGS with the ACK flag arrives, and fail with SETTINGS_TIMEOUT when it fires.',
  });
});

test('keeps a connection whose client acknowledged its SETTINGS past the timeout', async ({ server }) => {
  const client = await openH2(server);
  await client.expectNothingMore(WATCH_MS, {
    why: 'The ACK arrived with the client preface: the timer waiting for it must stop.',
    spec: 'RFC 9113 §6.5.3',
    hint: 'Clear the timer when the ACK of your SETTINGS arrives.',
  });
  await client.send(ping());
  await expectH2Frame(client, pingAck(), 'a PING ACK after the timeout has passed', PING_TEACHING);
});

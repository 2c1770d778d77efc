// Hidden tests for http2-frames, part 5: the server expects the ACK of its SETTINGS (RFC 9113
// §6.5.3). Run with a short --settings-timeout, so that a client that never acknowledges is told so
// without a long wait.

import {
  serverTest,
  check,
  openH2,
  expectH2Frame,
  expectGoaway,
  readH2Frame,
  describeH2Frame,
  H2Error,
  H2Type,
  H2_PREFACE,
  H2_SERVER_SETTINGS,
  H2_SETTINGS_ACK,
  h2SettingsFrame,
  type RawClient,
  type Server,
} from '#harness/testing/index.ts';
import { ping, pingAck, PING_TEACHING } from './h2.ts';

/**
 * The server's wait for the ACK of its SETTINGS. Well above a loopback round trip on a loaded
 * machine (the watching test's client acknowledges at once and must not be timed out), and short,
 * because the test whose client never acknowledges waits all of it.
 */
const SETTINGS_TIMEOUT_MS = 400;
/**
 * How long the first test watches a connection that acknowledged: past the moment a timer that
 * was never cleared would fire (SETTINGS_TIMEOUT_MS after the server's SETTINGS went out, before
 * the watch starts), with 500 ms to spare for a late timer on a loaded machine. A program that
 * has cleared its timer is proved quiet long before (process/quiet.ts), and the watch ends there.
 */
const WATCH_MS = SETTINGS_TIMEOUT_MS + 500;

// The test that watches an acknowledged connection comes first: the program is then fresh, and
// once it has cleared its timer it waits for nothing, so the quiet proof ends the watch early.
// After the other test, the program still holds the timer that ends a closed connection for good
// (the reference's fallback destroy, 1 s), and the watch would run its full WATCH_MS.
const test = serverTest('http2-frames', { args: ['--settings-timeout', String(SETTINGS_TIMEOUT_MS)] });

/**
 * Connections the first test may open before it gives up. Its premise is that the server reads
 * the ACK before its timer fires; the ACK goes in the client's first write, but on a loaded machine
 * the check's thread (between the connect and that write) or the program (between the accept and
 * the read) can stall for longer than SETTINGS_TIMEOUT_MS. The server's answers say which came
 * first, so a connection where the timer won is not held against it: the test opens another.
 */
const ATTEMPTS = 3;

/**
 * A connection whose SETTINGS ACK the server has read before its timer fired: the client sends its
 * preface, the ACK and a PING in one write; the server reads frames in order, so its SETTINGS ACK
 * and PING ACK before any GOAWAY prove it read our ACK in time.
 */
async function acknowledgedInTime(server: Server): Promise<RawClient> {
  for (let attempt = 1; ; attempt++) {
    const client = await server.connect();
    await client.send([H2_PREFACE, h2SettingsFrame(), H2_SETTINGS_ACK, ping()]);
    await expectH2Frame(client, H2_SERVER_SETTINGS, 'its preface, an empty SETTINGS frame', { spec: 'RFC 9113 §3.4' });
    const frame = await readH2Frame(client, { why: 'Expected the ACK of the client SETTINGS.', spec: 'RFC 9113 §6.5.3' });
    const timedOut = frame.type === H2Type.GOAWAY && frame.length >= 8 && frame.payload.readUInt32BE(4) === H2Error.SETTINGS_TIMEOUT;
    // The timer fired before the server read the first write: a stall, not a verdict. Try again.
    if (timedOut && attempt < ATTEMPTS) {
      client.destroy();
      continue;
    }
    check(frame.raw.equals(H2_SETTINGS_ACK), {
      message: `Expected the ACK of the client SETTINGS, received ${describeH2Frame(frame)}${timedOut ? ` on each of ${ATTEMPTS} connections` : ''}.`,
      why: timedOut
        ? `The client's ACK came in its first write, with the preface: the server had it long before --settings-timeout (${SETTINGS_TIMEOUT_MS} ms), yet timed the connection out before reading it.`
        : 'Every SETTINGS frame that is not an ACK is acknowledged, as soon as its values are applied.',
      spec: 'RFC 9113 §6.5.3',
      hint: timedOut ? 'Start the timer when your SETTINGS go out, and read what the client sent as it comes.' : undefined,
    });
    await expectH2Frame(client, pingAck(), 'the PING ACK (the PING came right after the ACK of the server SETTINGS)', PING_TEACHING);
    return client;
  }
}

test('keeps a connection whose client acknowledged its SETTINGS past the timeout', async ({ server }) => {
  const client = await acknowledgedInTime(server);
  await client.expectNothingMore(WATCH_MS, {
    why: 'The ACK arrived with the client preface, and the server read it (it answered the PING sent after it): the timer waiting for it must stop.',
    spec: 'RFC 9113 §6.5.3',
    hint: 'Clear the timer when the ACK of your SETTINGS arrives.',
  });
  await client.send(ping());
  await expectH2Frame(client, pingAck(), 'a PING ACK after the timeout has passed', PING_TEACHING);
});

test('answers a client that never acknowledges its SETTINGS with GOAWAY SETTINGS_TIMEOUT', async ({ server }) => {
  const client = await openH2(server, { ack: false });
  await expectGoaway(client, H2Error.SETTINGS_TIMEOUT, `no ACK of the server SETTINGS within --settings-timeout (${SETTINGS_TIMEOUT_MS} ms)`, {
    timeoutMs: 4000,
    why: 'A sender of SETTINGS that gets no ACK in a reasonable time may end the connection with SETTINGS_TIMEOUT; this server waits --settings-timeout ms.',
    spec: 'RFC 9113 §6.5.3, §7',
    hint: 'Start a timer when the SETTINGS frame goes out, clear it when a SETTINGS with the ACK flag arrives, and fail with SETTINGS_TIMEOUT when it fires.',
  });
});

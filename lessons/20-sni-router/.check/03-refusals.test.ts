// Hidden tests for sni-router, part 3: connections the router must not route. This router has a
// route for a.test, one for refused.test whose backend refuses, no default, and a ClientHello
// deadline of 2.5 s: longer than the 1.2 s these checks wait for a close, so that a router that
// closes a bad hello only when its deadline fires fails them (the deadline itself: 04-deadline).
// An unknown name gets a fatal alert unrecognized_name; anything that is not a well-formed
// ClientHello, or is too large, is closed, and no backend ever hears of it.

import {
  serverTest,
  check,
  clientHello,
  records,
  record,
  alertRecord,
  serverNameData,
  describeBytes,
  type HelloField,
  type Server,
} from '#harness/testing/index.ts';
import { Backend, refusingAddress } from './backends.ts';
import { helloOfLength } from './hellos.ts';

const A = await Backend.listen('backend-a');
const refused = await refusingAddress();
const test = serverTest('sni-router', { args: ['--route', `a.test=${A.address}`, '--route', `refused.test=${refused}`, '--hello-timeout', '2500'] });

const UNRECOGNIZED_NAME = alertRecord(112);
const ALERTS =
  'RFC 8446 §6 (Alert protocol: level 2 fatal, description 112 unrecognized_name) and §5.1 (legacy_record_version 0x0303 on everything but a ClientHello)';

/**
 * Sends `bytes` and expects the router to close the connection without routing it: nothing back
 * but possibly one fatal alert record (not unrecognized_name: the name was never read), then a
 * close, within `timeoutMs`.
 */
async function expectRefused(
  server: Server,
  bytes: Buffer,
  what: string,
  teaching: { why: string; hint: string; spec: string },
  timeoutMs = 1200,
): Promise<void> {
  A.forget();
  const client = await server.connect();
  await client.send(bytes);
  await client.expectClose({ timeoutMs, ...teaching, why: `${what}: ${teaching.why}` });
  const answer = await client.readFor(1);
  const isAlert = answer.length === 7 && answer[0] === 21 && answer[5] === 2 && answer[6] !== 112;
  check(answer.length === 0 || isAlert, {
    message: `Expected ${what} to be closed with no answer (or one fatal alert other than unrecognized_name), received ${describeBytes(answer)}.`,
    why: `${teaching.why} The name in it was never read, so it is not an unknown name either.`,
    spec: teaching.spec,
    hint: teaching.hint,
  });
  A.expectNone(`${what} was closed, but it was routed first.`, {
    why: 'A ClientHello the router cannot read must never be routed: the router and the backend could read two different things from the same broken bytes.',
    hint: 'Route only once the reader returned a whole, valid ClientHello; on HelloError, destroy the client and stop.',
  });
}

test('answers a name with no route with the fatal alert unrecognized_name, 15 03 03 00 02 02 70, then closes', async ({ server }) => {
  for (const [name, serverName] of [
    ['b.test', 'b.test'],
    ['no server_name at all', null],
  ] as const) {
    A.forget();
    const client = await server.connect();
    await client.send(records(clientHello({ serverName })));
    await client.expect(UNRECOGNIZED_NAME, {
      why: `A ClientHello for ${name}, and no default backend: a TLS server that does not serve the name answers with a fatal alert record: type 21, legacy_record_version 0x0303, length 2, level 2 (fatal), description 112 (unrecognized_name). The client then reports "unrecognized name" instead of a bare connection reset.`,
      spec: `${ALERTS}; RFC 6066 §3`,
      hint: 'Write Buffer.from([21, 3, 3, 0, 2, 2, 112]) with client.end(alert): it sends the alert, then FIN.',
    });
    await client.expectClose({
      why: 'A fatal alert ends the connection: close it after the alert.',
      spec: 'RFC 8446 §6.2',
      hint: 'client.end(alert) sends the alert and then FIN.',
    });
    A.expectNone(`A ClientHello for ${name} got the alert, but it was also routed.`);
  }
});

test('closes a connection that does not start with a TLS record, without routing it', async ({ server }) => {
  await expectRefused(server, Buffer.from('GET / HTTP/1.1\r\nHost: a.test\r\n\r\n'), 'A plain HTTP request', {
    why: 'A TLS connection\'s first byte is 22 (a handshake record). An HTTP request starts with a letter: this is not TLS, and taking its bytes 3–4 as a record length (" /" = 8239) would keep it waiting for bytes that never come.',
    spec: 'RFC 8446 §5.1',
    hint: 'Check the first byte as soon as it arrives; throw HelloError if it is not 22, and close the connection.',
  });
});

const LIES: Array<[HelloField, number]> = [
  ['session_id', 1],
  ['cipher_suites', 1],
  ['compression_methods', -1],
  ['extensions', 1],
  ['extensions', -1],
  ['extension', 1],
  ['server_name_extension', 1],
  ['server_name_extension', -1],
  ['server_name_list', 1],
  ['server_name_list', -1],
  ['host_name', 1],
  ['host_name', -1],
  ['alpn_extension', 1],
  ['alpn_extension', -1],
  ['protocol_name_list', 1],
  ['protocol_name_list', -1],
  ['protocol_name', 1],
  ['protocol_name', -3],
];

test('closes, without routing, every ClientHello in which a length lies', async ({ server }) => {
  const teaching = {
    why: 'A length that claims more than what contains it, or less than its contents, means the bytes are not a ClientHello. Reading on anyway finds a name in the wrong bytes.',
    spec: 'RFC 8446 §3.4, §4.1.2; RFC 6066 §3; RFC 7301 §3.1',
    hint: 'Catch HelloError from the reader, destroy the client socket, and never connect a backend for it.',
  };
  const last = { type: 0x4469, data: Buffer.from('last'), field: 'extension' as const };
  for (const [field, by] of LIES) {
    await expectRefused(
      server,
      records(clientHello({ serverName: 'a.test', lies: { [field]: by }, after: field === 'extension' ? [last] : [] })),
      `A ClientHello for a.test whose ${field} length is ${by > 0 ? '+' : ''}${by} off`,
      teaching,
    );
  }
  const trailing = Buffer.concat([serverNameData('a.test'), Buffer.from([0x00])]);
  await expectRefused(
    server,
    records(clientHello({ serverName: null, before: [{ type: 0, data: trailing }] })),
    'A ClientHello whose server_name (a.test) has a byte after its list',
    teaching,
  );
  await expectRefused(
    server,
    Buffer.concat([records(clientHello({}), { lies: { record: -1 } }), Buffer.alloc(4)]),
    'A ClientHello for a.test in a record 1 byte shorter than its contents',
    teaching,
  );
  await expectRefused(
    server,
    Buffer.concat([records(clientHello({ lies: { handshake: 1 } })), record(Buffer.from([0]))]),
    'A ClientHello for a.test whose handshake length claims 1 byte more (sent in a record of its own)',
    teaching,
  );
});

test('closes a ClientHello over 16 KiB, and a record over 2^14 bytes, without routing them', async ({ server }) => {
  const teaching = {
    why: 'The router holds the ClientHello in memory until it is whole, so it bounds it: 16 KiB, enough for any real client. A record fragment is at most 2^14 bytes (RFC 8446 §5.1).',
    spec: 'RFC 8446 §5.1; this lesson (README: Decisions)',
    hint: 'Throw HelloError when the handshake length is over 16384, and when a record length is over 16384.',
  };
  await expectRefused(server, records(helloOfLength(40000)), 'A well-formed 40000-byte ClientHello for a.test, in 3 records', teaching);
  await expectRefused(server, record(helloOfLength(16381)), 'A ClientHello for a.test in one record of 16385 bytes', teaching);
});

test('closes the client when its backend refuses the connection, and keeps serving', async ({ server }) => {
  A.forget();
  const client = await server.connect();
  await client.send(records(clientHello({ serverName: 'refused.test' })));
  await client.expectClose({
    timeoutMs: 1500,
    why: "refused.test is routed to a port where nothing listens: the backend's connect fails (ECONNREFUSED). The client has nothing to talk to: close it.",
    spec: "Node's net docs: socket.connect() and the 'error' event",
    hint: "Listen for 'error' on the backend socket; before it connected, destroy the client socket.",
  });
  const after = await server.connect('after');
  const hello = records(clientHello({ serverName: 'a.test' }));
  await after.send(hello);
  const backend = await A.accept(server, {
    why: "After a refused backend the router must still route: a backend socket's 'error' with no listener crashes the process.",
    hint: "Add backend.on('error', …) before anything can fail.",
  });
  await backend.expect(hello);
});

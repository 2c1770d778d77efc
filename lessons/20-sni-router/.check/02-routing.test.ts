// Hidden tests for sni-router, part 2: the router picks the backend by the name in the ClientHello
// and hands it every byte the client sent, exactly as sent, however it arrived. The backends are
// servers in this check (backend-a, backend-b, default), started before your router so that its
// --route arguments can name their ports.

import { serverTest, check, clientHello, records, record, byteCount, type RawClient, type Server } from '#harness/testing/index.ts';
import { Backend } from './backends.ts';

const [A, B, D] = await Promise.all([Backend.listen('backend-a'), Backend.listen('backend-b'), Backend.listen('default')]);
const test = serverTest('sni-router', { args: ['--route', `a.test=${A.address}`, '--route', `B.Test=${B.address}`, '--default', D.address] });
const ALL = [A, B, D];

const ROUTING = 'RFC 6066 §3 (server_name); this lesson (README: Routing by name)';

interface Routed {
  client: RawClient;
  backend: RawClient;
}

/**
 * Connects, sends `bytes` (cut as asked), and expects exactly those bytes at `to`, and no
 * connection at the other backends; then a reply from the backend reaches the client.
 */
async function expectRouted(
  server: Server,
  bytes: Buffer,
  to: Backend,
  what: string,
  teaching: { why: string; hint: string; spec?: string },
  split: 'whole' | 'trickle' | 'random' | number[] = 'whole',
): Promise<Routed> {
  for (const backend of ALL) backend.forget();
  const client = await server.connect();
  await client.send(bytes, { split });
  const backend = await to.accept(server, { ...teaching, spec: teaching.spec ?? ROUTING, why: `${what}: ${teaching.why}` });
  await backend.expect(bytes, {
    why: `The router passes the connection through untouched: the backend must receive the ClientHello exactly as the client sent it (${byteCount(bytes.length)}), since the TLS handshake is between them and covers every byte of it. The bytes your router already read to find the name go first.`,
    spec: 'RFC 8446 §4.4.1 (the transcript hash covers the ClientHello byte for byte)',
    hint: 'Keep every chunk you read before the hello was whole, and write all of them, in order, to the backend once it is connected, before piping.',
  });
  for (const other of ALL) if (other !== to) other.expectNone(`${what}.`, { why: teaching.why, hint: teaching.hint });
  const reply = Buffer.from('\x16\x03\x03\x00\x04\x02\x00\x00\x00', 'latin1'); // looks like the start of a ServerHello
  await backend.send(reply);
  await client.expect(reply, {
    why: "The backend's answer goes back to the client unchanged: the router relays both directions.",
    hint: 'Pipe the backend socket into the client socket too (backend.pipe(client)).',
  });
  return { client, backend };
}

const NAME_WHY =
  'The router reads server_name from the ClientHello and sends the connection to the backend routed for that name; a hello with no name, or a name with no route, goes to the --default backend.';
const NAME_HINT = 'Look the name up in the routes (a Map from name to host and port); without a match, use the default.';

test('relays a ClientHello for a.test to its backend byte for byte, and the reply back', async ({ server }) => {
  const { client, backend } = await expectRouted(server, records(clientHello({ serverName: 'a.test' })), A, 'A ClientHello for a.test', {
    why: NAME_WHY,
    hint: NAME_HINT,
  });
  // After the hello the router knows nothing of what passes: every byte value goes both ways.
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await client.send(all);
  await backend.expect(all, {
    why: 'After the ClientHello everything is encrypted TLS records: the router passes bytes, it does not read them. Decoding them as text changes every byte over 0x7f.',
    spec: "Node's stream docs: readable.pipe()",
    hint: 'Pipe the Buffers through untouched: no setEncoding(), no toString().',
  });
  await backend.send(all);
  await client.expect(all, { why: 'The same holds from the backend to the client.', hint: 'Pipe the backend to the client untouched.' });
});

test('routes b.test to its backend, and a hello without server_name to the default', async ({ server }) => {
  await expectRouted(server, records(clientHello({ serverName: 'b.test' })), B, 'A ClientHello for b.test (routed as B.Test)', {
    why: `${NAME_WHY} DNS names are case-insensitive, so the route given as "B.Test" is the route for b.test.`,
    hint: `${NAME_HINT} Fold the names of --route to lower case too.`,
  });
  await expectRouted(server, records(clientHello({ serverName: null })), D, 'A ClientHello without server_name', {
    why: `${NAME_WHY} Clients that connect to an address, not a name, send no server_name.`,
    hint: 'When hello.serverName is undefined, route to the default.',
  });
  await expectRouted(server, records(clientHello({ noExtensions: true })), D, 'A ClientHello without any extensions (TLS 1.2)', {
    why: `${NAME_WHY} A TLS 1.2 ClientHello may carry no extensions at all.`,
    spec: 'RFC 5246 §7.4.1.2',
    hint: 'Route a hello with no extensions block to the default.',
  });
});

test('matches whole names, without regard to case or a trailing dot', async ({ server }) => {
  const cases: Array<[string, Backend, string, string]> = [
    [
      'A.TEST',
      A,
      'DNS names are case-insensitive (RFC 4343): A.TEST is a.test.',
      'Compare lower-cased names: name.toLowerCase() (host names are ASCII, so this folds only A–Z).',
    ],
    [
      'a.test.',
      A,
      'A trailing dot marks a fully qualified name: a.test. and a.test are the same host (RFC 6066 §3 says clients send none; some do).',
      'Drop one trailing dot before the lookup.',
    ],
    ['b.TEST.', B, 'Case and the trailing dot together: b.TEST. is b.test.', 'Lower-case, then drop a trailing dot, on both the routes and the name.'],
    [
      'xa.test',
      D,
      'xa.test is another name, not a.test: a suffix match would hand a.test\'s connections to anyone who names a host ending in "a.test".',
      'Look up the whole name (map.get), not name.endsWith(route) or includes().',
    ],
    ['a.test.evil', D, 'a.test.evil is another name: a prefix match would route it to a.test.', 'Look up the whole name, not name.startsWith(route).'],
    ['test', D, 'test is not a.test.', 'Look up the whole name.'],
  ];
  for (const [name, to, why, hint] of cases) {
    const routed = await expectRouted(server, records(clientHello({ serverName: name })), to, `A ClientHello for ${JSON.stringify(name)}`, { why, hint });
    routed.client.destroy();
    routed.backend.destroy();
  }
});

test('routes a ClientHello that arrives one byte at a time, and sends the backend all of it', async ({ server }) => {
  await expectRouted(
    server,
    records(clientHello({ serverName: 'b.test', alpn: ['http/1.1'] })),
    B,
    'A ClientHello for b.test sent one byte per write',
    {
      why: "A 'data' event is whatever arrived: here a single byte. The router must gather bytes until the ClientHello is whole, and forward every one of them, not only the last read.",
      spec: "Node's net.Socket docs: Event 'data'",
      hint: 'Push each chunk into the reader and keep it in a list; forward Buffer.concat(list) once the hello is whole.',
    },
    'trickle',
  );
});

test('routes a ClientHello split across records, and a 1.8 KB post-quantum one cut at random', async ({ server }) => {
  const hello = clientHello({ serverName: 'a.test' });
  await expectRouted(server, records(hello, { sizes: [40] }), A, 'A ClientHello for a.test in two records (40 bytes, then the rest)', {
    why: 'A handshake message may span records (RFC 8446 §5.1); a router that reads only the first record never finds the name, or reads it from the wrong bytes.',
    spec: 'RFC 8446 §5.1',
    hint: 'Join the fragments of consecutive handshake records before reading the ClientHello.',
  });
  const big = clientHello({ serverName: 'b.test', grease: true, keyShareBytes: 1216 });
  await expectRouted(
    server,
    records(big, { sizes: [600, 700] }),
    B,
    `A ${byteCount(big.length)} ClientHello for b.test (GREASE, a post-quantum key share) in 3 records, cut at random`,
    {
      why: 'Chromium, Firefox and curl with a recent OpenSSL send a hybrid X25519MLKEM768 key share: their ClientHello is about 1.8 KB, more than one TCP segment, and full of GREASE values.',
      spec: 'RFC 8446 §5.1; RFC 8701',
      hint: 'Wait for the whole handshake message, across reads and records; skip extensions you do not know.',
    },
    'random',
  );
});

test('passes on what the client sent after the ClientHello in the same write, in order', async ({ server }) => {
  // A TLS 1.3 client in middlebox-compatibility mode sends change_cipher_spec right after its
  // hello, and one with early data (0-RTT) sends application_data records too: all in one write.
  const hello = records(clientHello({ serverName: 'a.test' }));
  const after = Buffer.concat([
    record(Buffer.from([1]), { type: 20, version: 0x0303 }),
    record(Buffer.from(Array.from({ length: 200 }, (_, i) => 255 - i)), { type: 23, version: 0x0303 }),
  ]);
  const { backend, client } = await expectRouted(
    server,
    Buffer.concat([hello, after]),
    A,
    'A ClientHello for a.test followed by two more records in the same write',
    {
      why: 'Whatever the client sent after its ClientHello belongs to the same connection: the backend needs it, in order, after the hello. A read can hold the hello and more.',
      spec: 'RFC 8446 Appendix D.4 (change_cipher_spec after the ClientHello); §4.2.10 (early data)',
      hint: "Forward every byte you read, not just the hello's records: keep the chunks as they came.",
    },
  );
  await client.send(Buffer.from('more'));
  await backend.expect('more', { hint: 'After the first bytes, pipe the client to the backend.' });
});

test('serves 100 connections one after another, closing each when both sides are done', async ({ server }) => {
  const hello = records(clientHello({ serverName: 'a.test' }));
  for (const backend of ALL) backend.forget();
  for (let i = 0; i < 100; i++) {
    const client = await server.connect(`seq${i + 1}`);
    await client.send(hello);
    const backend = await A.accept(server, { why: 'Each connection is routed on its own.', hint: NAME_HINT });
    await backend.expect(hello);
    await client.end();
    await backend.expectClose({ by: 'fin', why: "The client's FIN is passed on to the backend.", hint: 'pipe() ends the destination when the source ends.' });
    await backend.end();
    await client.expectClose({ by: 'fin', why: "The backend's FIN is passed on to the client.", hint: 'pipe() both ways.' });
    client.destroy();
    backend.destroy();
  }
  const stats = await server.stats();
  const deadline = performance.now() + 1500;
  let open = stats?.resources.TCPSocketWrap ?? 0;
  while (open > 3 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    open = (await server.stats())?.resources.TCPSocketWrap ?? 0;
  }
  check(open <= 3, {
    message: `Expected the router to hold at most 3 sockets after 100 relayed connections closed, but it holds ${open}.`,
    why: 'Once both directions are closed, both sockets of a relayed connection are done: keeping either is a file descriptor per connection, until the process runs out.',
    hint: 'Create both sockets with allowHalfOpen: true and let pipe() end each side; Node destroys a socket once both of its directions are ended.',
  });
});

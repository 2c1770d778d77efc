// Hidden tests for lesson 1, tcp-echo, part 2: many connections, and where the server listens.
// This file has a program of its own (it runs beside 01-echo.test.ts): the first test counts the
// program's open sockets, which the other file's clients must not add to.

import { serverTest, check, checkNoLeakedSockets } from '#harness/testing/index.ts';

const test = serverTest('tcp-echo');

test('serves 200 connections one after another without leaking them', async ({ server }) => {
  for (let i = 0; i < 200; i++) {
    const client = await server.connect(`seq${i + 1}`);
    await client.send(`#${i}\n`);
    await client.expect(`#${i}\n`);
    await client.end();
    await client.expectClose({ why: 'The client half-closed, so the server should end its side too.', hint: "Call socket.end() on 'end'." });
    client.destroy();
  }
  await checkNoLeakedSockets(server, 200, {
    why: 'A socket the server never ends stays half-open forever: a file descriptor and memory per client, until the process runs out.',
    hint: "End each socket when its client ends (the 'end' event), and don't keep references to closed ones.",
  });
});

test('listens on 127.0.0.1 by default', async ({ server }) => {
  const host = server.program.listening?.host;
  check(host === '127.0.0.1', {
    message: `Expected the server to listen on 127.0.0.1, but it listens on ${host === '::' || host === '0.0.0.0' ? `${host} (every interface)` : host}.`,
    why: 'A server bound to every interface can be reached by anyone on your network. Bind to loopback unless told otherwise (the stub has a --host option).',
    spec: "Node docs: server.listen(port, host): when host is omitted, Node listens on '::' or '0.0.0.0'",
    hint: 'Pass the host to listen(): server.listen(port, host, ...).',
  });
});

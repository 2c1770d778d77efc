// The UDP pieces of the harness, on real sockets: Program waiting for a dgram bind (the preload
// reports it), the recording UdpClient, and datagrams in the transcript.

import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Program, ProgramStartError } from '../process/program.ts';
import { explainWireError } from '../testing/explain.ts';
import { LessonFailure } from '../testing/failure.ts';
import { renderWire } from '../check/render-wire.ts';
import { Transcript } from '../wire/transcript.ts';
import { UdpClient } from '../wire/udp.ts';

const echoProgram = fileURLToPath(new URL('./fixtures/udp-echo.ts', import.meta.url));
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function start(args: string[] = []): Promise<Program> {
  const port = await freePort();
  const program = new Program({ entry: echoProgram, args: ['--port', String(port), ...args], transport: 'udp', port, startTimeoutMs: 8000 });
  cleanup.push(() => program.stop());
  return program;
}

/** An in-process echo socket (no child process), for the client-only tests. */
async function echoSocket(transform: (data: Buffer) => Buffer[] = (d) => [d]): Promise<number> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (data, rinfo) => {
    for (const reply of transform(data)) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanup.push(() => socket.close());
  return (socket.address() as AddressInfo).port;
}

async function client(port: number, transcript = new Transcript(), timeoutMs?: number): Promise<UdpClient> {
  const c = await UdpClient.open({ name: 'u1', port, transcript, timeoutMs, explain: explainWireError });
  cleanup.push(() => c.close());
  return c;
}

describe('Program with transport udp', () => {
  test('waits until the program binds its UDP port, and knows where', async () => {
    const program = await start();
    await program.waitUntilListening();
    expect(program.listening).toEqual({ host: '127.0.0.1', port: program.spec.port });
    const transcript = new Transcript();
    const c = await UdpClient.open({ name: 'u1', port: program.spec.port, transcript, peer: program });
    cleanup.push(() => c.close());
    await c.send('ping');
    await c.expect('ping');
  });

  test('says so when the program binds another port', async () => {
    const elsewhere = await freePort();
    const port = await freePort();
    const program = new Program({
      entry: echoProgram,
      args: ['--port', String(port), '--bind-port', String(elsewhere)],
      transport: 'udp',
      port,
      startTimeoutMs: 1500,
    });
    cleanup.push(() => program.stop());
    const error = await program.waitUntilListening().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProgramStartError);
    expect((error as ProgramStartError).start.elsewhere).toEqual({ host: '127.0.0.1', port: elsewhere });
    expect((error as Error).message).toContain(`listens on UDP 127.0.0.1 port ${elsewhere}`);
  });
});

describe('UdpClient', () => {
  test('records each datagram as its own event, empty ones too, and never merges them', async () => {
    const port = await echoSocket();
    const transcript = new Transcript();
    const c = await client(port, transcript);
    for (const data of ['one', 'two', '']) await c.send(data);
    for (const data of ['one', 'two', '']) await c.expect(data);
    const sends = transcript.events.filter((e) => e.kind === 'send');
    const recvs = transcript.events.filter((e) => e.kind === 'recv');
    expect(sends.map((e) => e.size)).toEqual([3, 3, 0]);
    expect(recvs.map((e) => e.size)).toEqual([3, 3, 0]);
    expect(transcript.events.every((e) => e.kind === 'note' || e.datagram)).toBe(true);
    const shown = renderWire(transcript.events).join('\n');
    expect(shown).toContain('datagram, 3 bytes');
    expect(shown).toContain('datagram, 0 bytes');
  });

  test('fails with a comparison when the datagram differs, and names a silence', async () => {
    const port = await echoSocket((d) => [Buffer.concat([d, Buffer.from('\n')])]);
    const c = await client(port, new Transcript(), 300);
    await c.send('abc');
    const wrong = await c.expect('abc').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(wrong).toBeInstanceOf(LessonFailure);
    expect((wrong as LessonFailure).message).toBe('Expected the datagram "abc", received "abc\\n".');
    expect((wrong as LessonFailure).learn.comparison?.offset).toBe(3);
    const silent = await c.receive().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((silent as Error).message).toBe('Expected a datagram within 0.3 s, received nothing.');
  });

  test('refuses a reply that comes from another port', async () => {
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.1', resolve));
    cleanup.push(() => stranger.close());
    const port = await echoSocket();
    const c = await client(port);
    stranger.send('hello', c.port, '127.0.0.1');
    const error = await c.expect('hello').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain(`Expected the reply to come from port ${port}`);
  });

  test('expectNothing fails on a datagram that should not come', async () => {
    const port = await echoSocket((d) => [d, d]);
    const c = await client(port);
    await c.send('twice');
    await c.expect('twice');
    const error = await c.expectNothing(200).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('Expected no more datagrams, received 1: "twice".');
  });
});

// The lossy echo server, on real sockets: scripted fates, the seeded schedule (the same seed gives
// the same losses), the impostor, and what lands in the transcript.

import { afterEach, describe, expect, test } from 'vitest';
import { LossyEchoServer, lossy, type Schedule } from '../wire/lossy-echo.ts';
import { reseed } from '../wire/segmentation.ts';
import { Transcript } from '../wire/transcript.ts';
import { UdpClient } from '../wire/udp.ts';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

async function setup(schedule?: Schedule) {
  const transcript = new Transcript();
  const server = await LossyEchoServer.start({ transcript, schedule });
  const client = await UdpClient.open({ name: 'c', port: server.port, transcript, timeoutMs: 500 });
  cleanup.push(
    () => server.close(),
    () => client.close(),
  );
  return { transcript, server, client };
}

describe('LossyEchoServer', () => {
  test('follows a written schedule: drop, echo, duplicate, delay (and so reorder)', async () => {
    const fates = [[], [0], [0, 20], [60], [0]];
    const { server, client, transcript } = await setup((i) => fates[i] ?? [0]);
    for (const word of ['lost', 'plain', 'twice', 'late', 'early']) await client.send(word);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push((await client.receive()).data.toString());
    expect(got.sort()).toEqual(['early', 'late', 'plain', 'twice', 'twice']);
    expect(got).not.toContain('lost');
    expect(server.received.map((d) => d.data.toString())).toEqual(['lost', 'plain', 'twice', 'late', 'early']);
    const notes = transcript.events.filter((e) => e.kind === 'note').map((e) => e.text);
    expect(notes).toContain('datagram #1: dropped');
    expect(notes).toContain('datagram #3: echoed 2 times, after 0 and 20 ms');
    expect(notes).toContain('datagram #4: echoed after 60 ms');
    expect(transcript.randomised).toBe(false);
  });

  test('a seeded schedule gives the same fates for the same seed', () => {
    const draw = () => {
      reseed('the same test');
      const schedule = lossy({ drop: 0.3, duplicate: 0.3, maxDelayMs: 50 });
      return Array.from({ length: 40 }, (_, i) => schedule(i, Buffer.alloc(0)));
    };
    const first = draw();
    expect(draw()).toEqual(first);
    expect(first.some((f) => f.length === 0)).toBe(true);
    expect(first.some((f) => f.length === 2)).toBe(true);
    expect(first.flat().every((ms) => ms >= 0 && ms <= 50)).toBe(true);
  });

  test('marks the transcript as randomised, so that a failure prints the seed', async () => {
    reseed('marks');
    const { client, transcript } = await setup(lossy({ drop: 0 }));
    await client.send('x');
    await client.receive();
    expect(transcript.randomised).toBe(true);
  });

  test('an impostor sends from another port', async () => {
    const { server, client } = await setup();
    await client.send('hello');
    await client.receive();
    await server.impostor(Buffer.from('forged'));
    const forged = await client.receive();
    expect(forged.data.toString()).toBe('forged');
    expect(forged.from.port).not.toBe(server.port);
  });

  test('close() cancels echoes still waiting', async () => {
    const { server, client } = await setup(() => [100]);
    await client.send('never');
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.close();
    expect(await client.readFor(200)).toEqual([]);
  });
});

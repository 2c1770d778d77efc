// Helpers shared by the websocket-chat checks: a chat member as the checks play it (a raw
// connection to /chat that joins, sends JSON requests, and reads JSON events, answering the
// server's pings as any client does), and the room's protocol as the README states it.

import {
  check,
  closePayload,
  describeFrame,
  encodeFrame,
  openWebSocket,
  readRawFrame,
  LessonFailure,
  Opcode,
  wireErrorOf,
  type Frame,
  type RawClient,
  type Server,
  type Teaching,
} from '#harness/testing/index.ts';

export const PROTOCOL = 'lessons/…-websocket-chat/README.md, "The protocol"';

/** An event the server sends: a JSON object with a type. */
export type ChatEvent = Record<string, unknown> & { type: string };

export class Member {
  /** Pings answered so far. */
  pings = 0;

  constructor(
    readonly client: RawClient,
    readonly name: string,
  ) {}

  /** Sends a request as a masked text frame. */
  async request(body: object): Promise<void> {
    await this.client.send(encodeFrame(Opcode.text, JSON.stringify(body)));
  }

  async say(text: string): Promise<void> {
    await this.request({ type: 'message', text });
  }

  /** The next frame; pings are answered and pongs skipped on the way, as a client does. */
  async nextFrame(teaching: Teaching & { timeoutMs?: number; what?: string } = {}): Promise<Frame> {
    // One deadline for the whole wait: pings that keep coming must not extend it.
    const deadline = performance.now() + (teaching.timeoutMs ?? 2000);
    for (;;) {
      const { frame } = await readRawFrame(
        this.client,
        { timeoutMs: Math.max(1, Math.round(deadline - performance.now())), why: teaching.why, spec: teaching.spec ?? PROTOCOL, hint: teaching.hint },
        teaching.what ? `${teaching.what} for ${this.name}` : undefined,
      );
      if (frame.opcode === Opcode.ping) {
        this.pings++;
        if (this.client.state === 'open') await this.client.send(encodeFrame(Opcode.pong, frame.payload)).catch(() => undefined);
        continue;
      }
      if (frame.opcode === Opcode.pong) continue;
      return frame;
    }
  }

  /** The next event, which must be a JSON text message (whole, unfragmented or not). */
  async next(teaching: Teaching & { timeoutMs?: number; what?: string } = {}): Promise<ChatEvent> {
    const frame = await this.nextFrame(teaching);
    let text = frame.payload;
    if (frame.opcode === Opcode.text && !frame.fin) {
      const parts = [text];
      for (let more = await this.nextFrame(teaching); ; more = await this.nextFrame(teaching)) {
        parts.push(more.payload);
        if (more.fin) break;
      }
      text = Buffer.concat(parts);
    }
    check(frame.opcode === Opcode.text, {
      message: `Expected ${teaching.what ?? 'an event'} for ${this.name} (a JSON text message), received ${describeFrame(frame)}.`,
      why: teaching.why ?? 'Every event the chat sends is a JSON object in a text message.',
      spec: teaching.spec ?? PROTOCOL,
      hint: teaching.hint,
    });
    let event: unknown;
    try {
      event = JSON.parse(text.toString('utf8'));
    } catch {
      event = undefined;
    }
    check(typeof event === 'object' && event !== null && typeof (event as ChatEvent).type === 'string', {
      message: `Expected ${teaching.what ?? 'an event'} for ${this.name} as a JSON object with a "type", received ${JSON.stringify(text.subarray(0, 120).toString('utf8'))}${text.length > 120 ? '…' : ''}.`,
      why: teaching.why ?? 'Every event the chat sends is a JSON object with a "type".',
      spec: teaching.spec ?? PROTOCOL,
      hint: teaching.hint ?? 'Send JSON.stringify(event) as a text message.',
    });
    return event as ChatEvent;
  }

  /** Reads the next event and checks it has these fields (deep-equal as JSON). */
  async expect(fields: Record<string, unknown>, teaching: Teaching & { timeoutMs?: number; what?: string } = {}): Promise<ChatEvent> {
    const what = teaching.what ?? describeEvent(fields);
    const event = await this.next({ ...teaching, what });
    const wrong = Object.entries(fields).filter(([key, value]) => JSON.stringify(event[key]) !== JSON.stringify(value));
    check(wrong.length === 0, {
      message: `Expected ${what} for ${this.name}, received ${show(event)}.`,
      why: teaching.why,
      spec: teaching.spec ?? PROTOCOL,
      hint: teaching.hint ?? (wrong.length > 0 ? `Look at ${wrong.map(([key]) => `"${key}"`).join(', ')}.` : undefined),
    });
    return event;
  }

  /**
   * Reads for `ms`, answering pings, and fails on any event. With `until`, stops as soon as it
   * holds (checked before each frame): "quiet until the third ping" waits no longer than the
   * program's own timer takes.
   */
  async expectQuiet(ms: number, teaching: Teaching & { what?: string; until?: () => boolean } = {}): Promise<void> {
    const until = performance.now() + ms;
    for (;;) {
      if (teaching.until?.()) return;
      const left = until - performance.now();
      if (left <= 0) return;
      let frame: Frame | undefined;
      try {
        frame = (await readRawFrame(this.client, { timeoutMs: Math.max(1, Math.round(left)) })).frame;
      } catch (error) {
        if (wireErrorOf(error)?.kind === 'timeout') return;
        throw error;
      }
      if (frame.opcode === Opcode.ping) {
        this.pings++;
        if (this.client.state === 'open') await this.client.send(encodeFrame(Opcode.pong, frame.payload)).catch(() => undefined);
        continue;
      }
      if (frame.opcode === Opcode.pong) continue;
      throw new LessonFailure({
        message: `Expected nothing for ${this.name}${teaching.what ? ` ${teaching.what}` : ''}, received ${describeFrame(frame)}.`,
        why: teaching.why,
        spec: teaching.spec ?? PROTOCOL,
        hint: teaching.hint,
      });
    }
  }
}

/** `a "message" event {"from":"ann","text":"hi"}`. */
export function describeEvent(fields: Record<string, unknown>): string {
  const { type, ...rest } = fields;
  return `a "${String(type)}" event${Object.keys(rest).length > 0 ? ` with ${JSON.stringify(rest).slice(0, 200)}` : ''}`;
}

export function show(event: ChatEvent): string {
  const text = JSON.stringify(event);
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

/** Opens /chat and joins as `name` (in `room`, default lobby); checks the welcome. */
export async function join(server: Server, name: string, room?: string, teaching: Teaching = {}): Promise<{ member: Member; welcome: ChatEvent }> {
  const { client } = await openWebSocket(server, { target: '/chat', name });
  const member = new Member(client, name);
  await member.request(room === undefined ? { type: 'join', name } : { type: 'join', name, room });
  const welcome = await member.expect(
    { type: 'welcome', room: room ?? 'lobby', name },
    {
      what: 'the welcome',
      why:
        teaching.why ?? 'A join is answered with {"type":"welcome","room":…,"name":…,"users":[…],"history":[…]}. A join without a room is a join to "lobby".',
      hint: teaching.hint ?? 'On {"type":"join"}, add the member to its room and send it the welcome.',
    },
  );
  return { member, welcome };
}

/**
 * Joins each name in turn (in `room`). Everyone already in the room is told of each newcomer,
 * which also reads those notices off, so that a test starts from a quiet room.
 */
export async function joinAll(server: Server, names: string[], room?: string): Promise<Member[]> {
  const members: Member[] = [];
  for (const name of names) {
    const { member } = await join(server, name, room);
    for (const earlier of members) {
      await earlier.expect(
        { type: 'joined', room: room ?? 'lobby', name },
        {
          why: 'When someone joins, everyone already in the room is told: {"type":"joined","room":…,"name":…}.',
          hint: 'Broadcast "joined" to the room before adding the newcomer to it.',
        },
      );
    }
    members.push(member);
  }
  return members;
}

/**
 * Leaves as a browser does (RFC 6455 §7.1.2): a close frame, the server's close frame, then our
 * FIN. The FIN matters for time: a server that closed TCP first still reads until the peer's FIN
 * (for --close-timeout, 1 s by default), and announces the leave only then. Never fails.
 */
export async function leave(member: Member, code = 1000): Promise<void> {
  const { client } = member;
  if (client.state === 'open') {
    await client.send(encodeFrame(Opcode.close, closePayload(code))).catch(() => undefined);
    const deadline = performance.now() + 1500;
    try {
      while (performance.now() < deadline) {
        const { frame } = await readRawFrame(client, { timeoutMs: Math.max(1, Math.round(deadline - performance.now())) });
        if (frame.opcode === Opcode.close) break;
      }
    } catch {
      // The server closed without a close frame, or took too long: end our side all the same.
    }
  }
  if (client.state === 'open' || client.state === 'fin') await client.end().catch(() => undefined);
}

/** Closes every member's connection politely (see leave), and waits for the server's FIN. Never fails. */
export async function leaveAll(members: Member[]): Promise<void> {
  await Promise.all(
    members.map(async (member) => {
      await leave(member);
      await member.client.readToEnd({ timeoutMs: 1500 }).catch(() => undefined);
    }),
  );
}

/** Waits (up to 2 s) until the server holds no client connections. Never fails. */
export async function emptyServer(server: Server): Promise<void> {
  const deadline = performance.now() + 2000;
  while (performance.now() < deadline) {
    const stats = await server.stats();
    if (!stats || (stats.resources.TCPSocketWrap ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

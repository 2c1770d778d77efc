// websocket-chat: rooms of named members who talk in JSON messages over WebSocket (the protocol is
// in the README). Every member's frames go through its own queue (send-queue.ts), so a message
// fans out to a room without waiting for anyone; a heartbeat pings members and drops the ones
// that stopped answering; and a shutdown says goodbye (1001) to everyone.

import type { Conn } from '../02-socket-promises/socket.ts';
import type { Message } from '../18-websocket-frames/websocket.ts';
import { QueuedWebSocket, type QueueOptions } from './send-queue.ts';

export interface ChatOptions extends QueueOptions {
  /** How many recent messages a room keeps for newcomers. */
  historySize: number;
  /** How often the heartbeat runs: each run pings every member, and drops those that have not
   * answered (nor said anything) since the run before. */
  pingIntervalMs: number;
}

/** A message said in a room, as members receive it. */
interface Said {
  type: 'message';
  room: string;
  from: string;
  text: string;
  at: string;
}

interface Member {
  socket: QueuedWebSocket;
  name?: string;
  room?: Room;
  /** Heard from since the last heartbeat (any message or pong). */
  alive: boolean;
  /** Settles when the connection is over. */
  done?: Promise<void>;
}

interface Room {
  name: string;
  members: Map<string, Member>;
  history: Said[];
}

// 1 to 32 characters (code points, with the u flag), none of them a control character (Cc:
// U+0000–U+001F, U+007F, U+0080–U+009F).
const NAME = /^\P{Cc}{1,32}$/u;

export class Chat {
  private readonly members = new Set<Member>();
  private readonly rooms = new Map<string, Room>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly options: ChatOptions) {
    this.heartbeat = setInterval(() => this.beat(), options.pingIntervalMs);
    this.heartbeat.unref();
  }

  /** Serves one upgraded connection until it ends. */
  serve(conn: Conn, start: Buffer): Promise<void> {
    const socket = new QueuedWebSocket(conn, this.options);
    const member: Member = { socket, alive: true };
    this.members.add(member);
    socket.onMessage = (message) => {
      member.alive = true;
      this.receive(member, message);
    };
    socket.onPong = () => {
      member.alive = true;
    };
    // A member whose frames pile up does not read: it leaves now, and nobody else waits for it.
    socket.onOverflow = () => this.leave(member);
    member.done = socket.serve(start).finally(() => {
      this.leave(member);
      this.members.delete(member);
    });
    return member.done;
  }

  /** Closes every connection with 1001 (going away), and waits until each has ended. */
  async shutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    const members = [...this.members];
    await Promise.all(members.map((member) => member.socket.close(1001, 'server shutting down')));
    await Promise.all(members.map((member) => member.done));
  }

  private receive(member: Member, message: Message): void {
    if (message.type !== 'text') return this.send(member, { type: 'error', message: 'Messages are JSON text.' });
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(message.data) as Record<string, unknown>;
    } catch {
      return this.send(member, { type: 'error', message: 'That is not JSON.' });
    }
    if (typeof request !== 'object' || request === null) return this.send(member, { type: 'error', message: 'A request is a JSON object with a "type".' });
    if (request.type === 'join') return this.join(member, request.name, request.room ?? 'lobby');
    const room = member.room;
    if (!room || member.name === undefined) return this.send(member, { type: 'error', message: 'Join a room first: {"type":"join","name":"…"}.' });
    switch (request.type) {
      case 'message': {
        if (typeof request.text !== 'string') return this.send(member, { type: 'error', message: 'A message needs a "text".' });
        const said: Said = { type: 'message', room: room.name, from: member.name, text: request.text, at: new Date().toISOString() };
        room.history.push(said);
        if (room.history.length > this.options.historySize) room.history.shift();
        return this.broadcast(room, said);
      }
      case 'private': {
        const to = typeof request.to === 'string' ? room.members.get(request.to) : undefined;
        if (!to || typeof request.text !== 'string')
          return this.send(member, { type: 'error', message: `Nobody called ${JSON.stringify(request.to)} is in ${room.name}.` });
        const whisper = { type: 'private', room: room.name, from: member.name, to: to.name, text: request.text, at: new Date().toISOString() };
        this.send(to, whisper);
        if (to !== member) this.send(member, whisper);
        return;
      }
      case 'list_users':
        return this.send(member, { type: 'users', room: room.name, users: [...room.members.keys()] });
      case 'list_messages':
        return this.send(member, { type: 'messages', room: room.name, messages: room.history });
      default:
        return this.send(member, { type: 'error', message: `Unknown request type ${JSON.stringify(request.type)}.` });
    }
  }

  private join(member: Member, name: unknown, roomName: unknown): void {
    if (member.room) return this.send(member, { type: 'error', message: `You are in ${member.room.name} already.` });
    if (typeof name !== 'string' || !NAME.test(name) || name.trim() !== name)
      return this.send(member, { type: 'error', message: 'A name is 1 to 32 characters, no control characters, no spaces around it.' });
    if (typeof roomName !== 'string' || !NAME.test(roomName)) return this.send(member, { type: 'error', message: 'A room name is 1 to 32 characters.' });
    let room = this.rooms.get(roomName);
    if (!room) this.rooms.set(roomName, (room = { name: roomName, members: new Map(), history: [] }));
    if (room.members.has(name)) return this.send(member, { type: 'error', message: `${name} is taken in ${roomName}.` });
    this.broadcast(room, { type: 'joined', room: room.name, name });
    room.members.set(name, member);
    member.name = name;
    member.room = room;
    this.send(member, { type: 'welcome', room: room.name, name, users: [...room.members.keys()], history: room.history });
  }

  /** Takes a member out of its room and tells the others; runs once, however the member went. */
  private leave(member: Member): void {
    const room = member.room;
    if (!room || member.name === undefined) return;
    member.room = undefined;
    room.members.delete(member.name);
    this.broadcast(room, { type: 'left', room: room.name, name: member.name });
  }

  /** Queues an event for one member and returns at once: nobody waits for a slow reader. */
  private send(member: Member, event: object): void {
    void member.socket.send(JSON.stringify(event));
  }

  private broadcast(room: Room, event: object): void {
    // Serialised once for everyone; each member's queue takes it from there.
    const text = JSON.stringify(event);
    for (const member of room.members.values()) void member.socket.send(text);
  }

  /** §5.5.2: drop whoever did not answer the last ping, and ping everyone else. */
  private beat(): void {
    for (const member of this.members) {
      if (!member.alive) {
        // A peer that cannot answer a ping cannot take part in a closing handshake either.
        this.leave(member);
        member.socket.conn.destroy();
        continue;
      }
      member.alive = false;
      void member.socket.ping();
    }
  }
}

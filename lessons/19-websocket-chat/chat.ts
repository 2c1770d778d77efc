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
    // TODO: stop the heartbeat; close every member's socket with 1001 (going away); then wait
    //       until every connection has ended (member.done). close() arms a timer, so a member
    //       that never answers the close cannot keep the server up.
  }

  private receive(member: Member, message: Message): void {
    // TODO: the protocol (README): a text message holding a JSON object with a "type". "join"
    //       comes first (this.join); then, for a member of a room: "message" (kept in the room's
    //       history, at most options.historySize, and broadcast to the room), "private" (to the
    //       member named "to" in the room, and a copy to the sender), "list_users", "list_messages".
    //       Anything else, or a request that is not valid, gets {"type":"error","message":…}.
    void message;
    this.send(member, { type: 'error', message: 'receive (chat.ts) is not written yet (TODO in the file).' });
  }

  private join(member: Member, name: unknown, roomName: unknown): void {
    // TODO: refuse (an error event) a second join, a bad name or room name (NAME, no spaces
    //       around it), a name taken in that room. Else: create the room if needed, tell its
    //       members ("joined"), add the member, and send it the welcome: room, name, users (in
    //       the order they joined), history.
    void member;
    void name;
    void roomName;
    void NAME;
  }

  /** Takes a member out of its room and tells the others; runs once, however the member went. */
  private leave(member: Member): void {
    // TODO: if the member is in a room: take it out (once: clear member.room) and tell the
    //       others ("left").
    void member;
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
    // TODO: for every member: if it has not been heard from since the last beat (member.alive
    //       false), it is gone: leave() and destroy its connection. Else set alive to false and
    //       ping it; its pong (or any message) sets alive again.
  }
}

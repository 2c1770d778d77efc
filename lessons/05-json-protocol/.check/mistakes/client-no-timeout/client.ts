// MISTAKE: has no timeout: a request the server never answers waits forever.
// Lesson 5, part 2: a client for the JSON chat protocol, usable two ways.
// As a module: `const client = await connect({ port: 3000, onPush })`, then
//   `const response = await client.request('ECHO', 'hi')`: requests go out with fresh ids, and
//   each resolves with the response that carries its id, whatever order responses come in.
// As a program: npx tsx client.ts --port 3000 — an interactive chat client (needs a terminal).
// Check: npx learn check json-protocol

import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export type Id = number | string;

/** What the server answers to one request: `{"id":1,"ok":true,"data":…}` or `{"id":1,"ok":false,"error":"…"}`. */
export interface Response {
  id: Id | null;
  ok: boolean;
  data?: unknown;
  error?: string;
}

/** What the server sends unasked, e.g. `{"type":"MESSAGE","data":{"from":"ann","text":"hi","time":"…"}}`. */
export interface Push {
  type: string;
  data?: unknown;
}

export interface ConnectOptions {
  port: number;
  host?: string;
  /** How long a request waits for its response before it is rejected. Default 5000 ms. */
  timeoutMs?: number;
  /** Called with every push, in the order they arrive. */
  onPush?: (push: Push) => void;
  /** Called once, when the connection has ended (for whatever reason). */
  onClose?: () => void;
}

/** The longest line we hold from the server. */
const MAX_LINE = 1024 * 1024;

interface Pending {
  resolve: (response: Response) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class Client {
  /** Requests sent and not answered yet, by id. */
  private readonly pending = new Map<Id, Pending>();
  private nextId = 1;
  /** Bytes after the last newline. */
  private buffered: Buffer = Buffer.alloc(0);
  /** Set once the connection is over: every later request fails with it. */
  private ended: Error | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: ConnectOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A reset arrives as 'error', then 'close'. Without this listener the error is thrown.
    socket.on('error', (error) => this.failAll(new Error(`connection failed: ${error.message}`)));
    socket.on('close', () => {
      this.failAll(new Error('the connection closed before the response came'));
      options.onClose?.();
    });
  }

  /** Sends one request; resolves with the response that carries its id (ok or not). */
  request(type: string, data?: unknown): Promise<Response> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {}, 0); // responses always come on a local network
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(`${JSON.stringify(data === undefined ? { id, type } : { id, type, data })}\n`);
    });
  }

  /** Ends the connection; requests still waiting are rejected. */
  close(): void {
    this.failAll(new Error('the client closed the connection'));
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let newline: number;
    while ((newline = this.buffered.indexOf(0x0a)) >= 0) {
      // Decode whole lines only: a chunk may end in the middle of a UTF-8 character.
      const line = this.buffered.subarray(0, newline).toString('utf8');
      this.buffered = this.buffered.subarray(newline + 1);
      this.onLine(line);
    }
    if (this.buffered.length > MAX_LINE) this.socket.destroy(new Error(`the server sent a line longer than ${MAX_LINE} bytes`));
  }

  /** One message from the server: a response (it has an id) or a push (it has none). */
  private onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return; // not JSON: nothing we can match it to
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
    if ('id' in message) {
      const id = (message as Response).id;
      const waiting = id === null ? undefined : this.pending.get(id);
      if (!waiting) return; // late (its request timed out) or not ours
      this.pending.delete(id!);
      clearTimeout(waiting.timer);
      waiting.resolve(message as Response);
    } else if (typeof (message as Push).type === 'string') {
      this.options.onPush?.(message as Push);
    }
  }

  /** Rejects every waiting request with `error`, and every later one too. */
  private failAll(error: Error): void {
    this.ended ??= error;
    for (const waiting of this.pending.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.pending.clear();
  }
}

/** Opens a connection to the server; resolves once it is established. */
export function connect(options: ConnectOptions): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: options.port, host: options.host ?? '127.0.0.1' });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(new Client(socket, options));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The interactive program. It is written for you: it works as soon as connect() and request() do.

/** The part of an enquirer prompt we use to print above it while it is on screen. */
interface DrawnPrompt {
  state: { size: number; closed?: boolean };
  clear(lines?: number): void;
  render(): unknown;
}

const COMMANDS = ['REGISTER', 'MESSAGE', 'LIST_USERS', 'LIST_MESSAGES', 'ECHO', 'TIME', 'QUIT'];
const ASK_FOR: Record<string, string> = { REGISTER: 'Your name', MESSAGE: 'Message', ECHO: 'Data to echo (JSON, or plain text)' };

interface ChatMessage {
  from: string;
  text: string;
  time: string;
}

const clock = (iso: string) => new Date(iso).toTimeString().slice(0, 8);
const line = (m: ChatMessage) => `[${clock(m.time)}] ${m.from}: ${m.text}`;

/** How a response reads on screen. */
function describeResponse(command: string, response: Response): string {
  if (!response.ok) return `error: ${response.error}`;
  switch (command) {
    case 'REGISTER':
      return `registered as ${(response.data as { name: string }).name}`;
    case 'MESSAGE':
      return 'sent';
    case 'LIST_USERS':
      return `online: ${(response.data as string[]).join(', ') || 'nobody'}`;
    case 'LIST_MESSAGES': {
      const messages = response.data as ChatMessage[];
      return messages.length === 0 ? 'no messages yet' : ['recent messages:', ...messages.map((m) => `  ${line(m)}`)].join('\n');
    }
    case 'TIME':
      return `server time: ${response.data}`;
    default:
      return JSON.stringify(response.data);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '3000' }, host: { type: 'string', default: '127.0.0.1' } } });
  const host = values.host;
  const port = Number(values.port);
  const { default: Enquirer } = await import('enquirer');
  const enquirer = new Enquirer();
  let active: DrawnPrompt | undefined;
  enquirer.on('prompt', (prompt: DrawnPrompt) => (active = prompt));

  // Something that arrives while a prompt is on screen is printed above it, and the prompt redrawn.
  const print = (text: string) => {
    if (!active || active.state.closed) return console.log(text);
    active.clear(active.state.size);
    console.log(text);
    void active.render();
  };

  let client: Client;
  try {
    client = await connect({
      port,
      host,
      onPush: (push) => print(push.type === 'MESSAGE' ? line(push.data as ChatMessage) : `${push.type}: ${JSON.stringify(push.data)}`),
      onClose: () => {
        print('The server closed the connection.');
        process.exit(0);
      },
    });
  } catch (error) {
    console.log(`Could not connect to ${host}:${port}: ${(error as Error).message}. Is the server running (npx learn run json-protocol --port ${port})?`);
    process.exit(1);
  }
  console.log(`Connected to ${host}:${port}. Choose a command; messages from others appear as they arrive.`);
  try {
    for (;;) {
      const { command } = (await enquirer.prompt({ type: 'select', name: 'command', message: 'Command', choices: COMMANDS })) as { command: string };
      if (command === 'QUIT') break;
      let data: unknown;
      if (ASK_FOR[command]) {
        const { text } = (await enquirer.prompt({ type: 'input', name: 'text', message: ASK_FOR[command] })) as { text: string };
        data = text;
        if (command === 'ECHO') {
          try {
            data = JSON.parse(text);
          } catch {
            // plain text: echo it as a string
          }
        }
      }
      active = undefined;
      try {
        console.log(describeResponse(command, await client.request(command, data)));
      } catch (error) {
        console.log(`no answer: ${(error as Error).message}`);
      }
    }
  } catch {
    // Ctrl-C in a prompt rejects it: leave quietly.
  }
  client.close();
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

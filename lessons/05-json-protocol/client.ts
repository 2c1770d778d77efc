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
    // TODO: 'data' → this.onData(chunk). 'error' → fail every waiting request (and have a listener
    //       at all: an unheard 'error' is thrown). 'close' → fail them too, then options.onClose?.().
  }

  /** Sends one request; resolves with the response that carries its id (ok or not). */
  request(type: string, data?: unknown): Promise<Response> {
    // TODO: reject at once if the connection has ended. Otherwise take the next id, remember
    //       { resolve, reject, timer } in this.pending under it (the timer rejects after
    //       options.timeoutMs, default 5000, and forgets the id), and write the request as one line.
    return Promise.reject(new Error(`request(${JSON.stringify(type)}) is not written yet (TODO in client.ts); data: ${JSON.stringify(data)}`));
  }

  /** Ends the connection; requests still waiting are rejected. */
  close(): void {
    this.failAll(new Error('the client closed the connection'));
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    // TODO: append to this.buffered; hand every complete line (decoded as UTF-8) to onLine(). A
    //       chunk can hold part of a line, or several. Past MAX_LINE bytes without a newline, destroy.
  }

  /** One message from the server: a response (it has an id) or a push (it has none). */
  private onLine(line: string): void {
    // TODO: JSON.parse (skip a line that isn't JSON, or isn't an object). With an "id": resolve the
    //       waiting request with that id (clearTimeout; delete it), or drop it if none waits. Without
    //       an "id" but with a "type": it is a push, for options.onPush.
  }

  /** Rejects every waiting request with `error`, and every later one too. */
  private failAll(error: Error): void {
    // TODO: remember `error` in this.ended (the first one wins), reject every waiting request with
    //       it (clearing its timer), and empty this.pending.
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

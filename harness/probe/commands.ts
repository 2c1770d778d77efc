// What `learn probe` does with each line typed (or piped): a line starting with "." is a command,
// anything else is bytes to send, escapes honoured, followed by the line end (.crlf).

import fs from 'node:fs';
import { paint } from '../terminal.ts';
import { quote } from '../wire/bytes.ts';
import type { ProbeConnection } from './connection.ts';
import { EscapeError, parseEscapes, parseHex } from './escapes.ts';
import type { Example } from './examples.ts';
import { H2_PREFACE } from '../wire/http2.ts';
import { FRAME_USAGE, parseFrame } from './http2-frame.ts';

/** What Enter adds to a line: CRLF (HTTP), LF (most line protocols), or nothing. */
export type LineEnd = 'crlf' | 'lf' | 'none';
const LINE_END: Record<LineEnd, Buffer> = { crlf: Buffer.from('\r\n'), lf: Buffer.from('\n'), none: Buffer.alloc(0) };

export class ProbeCommands {
  private trickleNext = false;

  constructor(
    private readonly connection: ProbeConnection,
    private readonly examples: Example[],
    private lineEnd: LineEnd,
    private readonly out: (line: string) => void,
  ) {}

  /** Handles one line; resolves with 'quit' for .quit. */
  async line(text: string): Promise<'quit' | undefined> {
    if (!text.startsWith('.') || text.startsWith('..')) {
      // A line that must start with a dot is written with two: "..x" sends ".x".
      return void (await this.sendLine(text.startsWith('..') ? text.slice(1) : text));
    }
    const [name = '', ...rest] = text.slice(1).split(' ');
    const argument = rest.join(' ').trim();
    try {
      switch (name) {
        case 'crlf':
          return void this.setLineEnd(argument);
        case 'hex':
          return void (await this.send(parseHex(argument)));
        case 'file':
          return void (await this.sendFile(argument));
        case 'preface':
          this.connection.speakHttp2(true);
          return void (await this.send(H2_PREFACE));
        case 'frame': {
          if (!argument) return void this.say(`Which frame? ${FRAME_USAGE}.`);
          const frame = parseFrame(argument);
          this.connection.speakHttp2(false);
          return void (await this.send(frame));
        }
        case 'trickle':
          this.trickleNext = true;
          return void this.say('The next line goes a byte at a time, one write each.');
        case 'end':
          return void this.connection.end();
        case 'reset':
          return void this.connection.reset();
        case 'reconnect':
          return void (await this.connection.reconnect());
        case 'examples':
          return void this.listExamples();
        case 'send':
          return void (await this.sendExample(argument));
        case 'help':
          return void this.say(HELP);
        case 'quit':
        case 'exit':
          return 'quit';
        default:
          this.say(`There is no command ".${name}". ${HELP_SHORT}`);
      }
    } catch (error) {
      if (!(error instanceof EscapeError)) throw error;
      this.say(paint.warning(`Not sent: ${error.message}`));
    }
    return undefined;
  }

  private async sendLine(text: string): Promise<void> {
    try {
      await this.send(Buffer.concat([parseEscapes(text), LINE_END[this.lineEnd]]));
    } catch (error) {
      if (!(error instanceof EscapeError)) throw error;
      this.say(paint.warning(`Not sent: ${error.message}`));
    }
  }

  private async send(bytes: Buffer): Promise<void> {
    const trickle = this.trickleNext;
    this.trickleNext = false;
    await this.connection.send(bytes, { trickle });
  }

  private setLineEnd(argument: string): void {
    const choice = ({ on: 'crlf', off: 'lf', none: 'none' } as const)[argument as 'on' | 'off' | 'none'];
    if (argument && !choice) return this.say('`.crlf on` ends each line with \\r\\n, `.crlf off` with \\n, `.crlf none` with nothing.');
    if (choice) this.lineEnd = choice;
    this.say(`Enter ends a line with ${{ crlf: '\\r\\n', lf: '\\n', none: 'nothing' }[this.lineEnd]}.`);
  }

  private async sendFile(file: string): Promise<void> {
    if (!file) return this.say('Which file? `.file PATH` sends its bytes as they are.');
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      return this.say(paint.warning(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`));
    }
    await this.send(bytes);
  }

  private listExamples(): void {
    if (this.examples.length === 0) return this.say('This lesson has no ready example; its README shows what to type.');
    this.examples.forEach((example, i) => {
      this.say(`${paint.code(`.send ${i + 1}`)}  ${paint.dim(`from: ${example.from}`)}`);
      this.say(`         ${quote(example.bytes)}`);
    });
  }

  private async sendExample(argument: string): Promise<void> {
    const example = this.examples[Number(argument) - 1];
    if (!/^\d+$/.test(argument) || !example) return this.say(`\`.send N\` sends example N, from 1 to ${this.examples.length}; \`.examples\` lists them.`);
    await this.send(example.bytes);
  }

  private say(text: string): void {
    for (const line of text.split('\n')) this.out(paint.dim(line));
  }
}

const HELP_SHORT = '`.help` lists the commands.';

const HELP = `Type a line to send it. Escapes: \\r \\n \\t \\0 \\xHH (any byte), \\\\ (a backslash); a line that starts with "." is written "..".
  .crlf on|off|none   what Enter adds: \\r\\n (on), \\n (off), or nothing
  .hex 48656c6c6f     send bytes given in hex
  .file PATH          send a file's bytes
  .trickle            send the next line a byte at a time
  .preface            HTTP/2: send the client preface, PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n (RFC 9113 §3.4)
  .frame TYPE FLAGS STREAM [PAYLOAD]
                      HTTP/2: send one frame; type and flags by name or number; the payload as
                      id=value settings, name=value header fields (HPACK-encoded), "text", or hex:
      .frame SETTINGS 0 0 MAX_CONCURRENT_STREAMS=100
      .frame SETTINGS ACK 0
      .frame HEADERS END_STREAM|END_HEADERS 1 :method=GET :scheme=http :path=/ :authority=x
      .frame DATA END_STREAM 1 "hello\n"
      .frame PING 0 0 0102030405060708
      .frame 0xfa 0 0 ab      (a type no one knows: a server ignores it, §5.5)
  .end                half-close: send FIN, keep reading
  .reset              reset the connection: send RST
  .reconnect          close and connect again
  .examples           the lesson's example requests; .send N sends one
  .help               this list
  .quit               leave (also Ctrl-D, Ctrl-C)`;

// `learn probe [lesson]`: a raw-socket prompt to a running server. In a terminal, a prompt; from
// a pipe, each line of stdin is handled as if typed, then the replies are awaited and printed,
// so a probe session can be a script.

import fs from 'node:fs';
import readline from 'node:readline';
import { examplesOf } from '../../probe/examples.ts';
import { ProbeCommands, type LineEnd } from '../../probe/commands.ts';
import { ProbeConnection } from '../../probe/connection.ts';
import type { Lesson } from '../../lesson.ts';
import { paint } from '../../terminal.ts';
import { targetFile } from '../../testing/target.ts';
import { UsageError, type Context } from '../context.ts';
import { Progress } from '../progress.ts';
import { portOption } from '../lesson-program.ts';
import { runningPort } from '../run-port.ts';
import { tryItLines } from '../try-it.ts';

export async function probe(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  const lesson = progress.lessonFor(context);
  const port = portOption(context.flags.port, runningPort(lesson.slug));
  const wait = Number(context.flags.wait ?? 1000);
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`--wait takes milliseconds (0 or more); received "${context.flags.wait}".`);
  const transport = lesson.program?.transport ?? 'tcp';
  const interactive = Boolean(process.stdin.isTTY);
  const input = readline.createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  input.setPrompt(paint.info('probe> '));
  // Taken now: a pipe's lines arrive while the connection opens, and a line nobody listens for is lost.
  const lines = input[Symbol.asyncIterator]();
  // Replies arrive while the learner types: in a terminal, each batch clears the prompt line, is
  // printed, and the prompt is drawn again below it with what was typed so far.
  let redrawing = false;
  let closed = false;
  input.once('close', () => (closed = true));
  const out = (line: string) => {
    if (interactive && !redrawing) {
      redrawing = true;
      readline.cursorTo(process.stdout, 0);
      readline.clearLine(process.stdout, 0);
      setImmediate(() => ((redrawing = false), closed || input.prompt(true)));
    }
    context.out(line);
  };
  const connection = new ProbeConnection({ port, transport, out, idleTimeoutFlag: takesIdleTimeout(lesson), http2: lesson.part === 'HTTP/2' });
  try {
    await connection.open();
  } catch (error) {
    input.close();
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    context.out(paint.failure(`Nothing to probe on 127.0.0.1:${port} (${code}).`));
    context.out(`Try: start the server first, in another terminal: ${paint.code(`npx learn run ${lesson.slug} --port ${port}`)}`);
    return 1;
  }
  // HTTP and WebSocket end lines with CRLF (RFC 9112 §2.1); the TCP lessons' line protocols with LF.
  const lineEnd: LineEnd = lesson.part === 'TCP' ? 'lf' : 'crlf';
  const examples = examplesOf(tryItLines(lesson, port));
  const commands = new ProbeCommands(connection, examples, lineEnd, out);
  if (interactive) {
    context.out(paint.dim(`Probing ${lesson.slug} on ${transport} 127.0.0.1:${port}. Type a line to send it; .help lists the commands; Ctrl-D leaves.`));
    if (examples.length > 0) context.out(paint.dim("`.examples` lists the lesson's example requests."));
  }
  const prompt = () => interactive && !closed && input.prompt(true);
  let stopped = false;
  // In a terminal readline takes Ctrl-C itself ('SIGINT' on the interface); from a pipe it is the process's.
  const stop = () => ((stopped = true), input.close());
  input.once('SIGINT', stop);
  process.once('SIGINT', stop);
  prompt();
  for await (const line of lines) {
    if ((await commands.line(line)) === 'quit') break;
    if (stopped) break;
    prompt();
  }
  input.close();
  // The replies to the last line may still be on the way: wait for them (or the close) before leaving.
  if (!stopped) await connection.settle(interactive ? 200 : wait);
  await connection.close();
  return 0;
}

/** True when the lesson's program declares an --idle-timeout option (lessons 10 on). */
function takesIdleTimeout(lesson: Lesson): boolean {
  if (!lesson.entry) return false;
  try {
    return fs.readFileSync(targetFile(lesson, lesson.entry), 'utf8').includes("'idle-timeout'");
  } catch {
    return false;
  }
}

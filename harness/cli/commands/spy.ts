// `learn spy [lesson]`: start the learner's server (or the reference) on a port of its own and
// listen on the learner's port as a transparent TCP relay, printing the wire as it passes. Ctrl-C
// is passed on to the server, which gets a few seconds to end by itself (its goodbyes still pass
// through the relay and are recorded), then everything stops and the session is written as a page
// (.learn/spy/<time>.html).

import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../process/free-port.ts';
import { stateDir } from '../../paths.ts';
import { renderPage } from '../../spy/page.ts';
import { SpySession } from '../../spy/session.ts';
import { paint } from '../../terminal.ts';
import { byteCount } from '../../wire/bytes.ts';
import { type Context } from '../context.ts';
import { lessonProgram, portOption, SignalStop, stoppedLine, untilListening } from '../lesson-program.ts';
import { Progress } from '../progress.ts';
import { recordRunPort } from '../run-port.ts';
import { tryItLines } from '../try-it.ts';

export async function spy(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  const lesson = progress.lessonFor(context);
  if (!lesson.entry || !lesson.program) {
    context.out(`Lesson ${lesson.slug} has no server to spy on: its checks import your module directly. See its README for how to try it.`);
    return 1;
  }
  if (lesson.program.transport !== 'tcp') {
    context.out(
      `Lesson ${lesson.slug} speaks UDP: there are no connections to relay. Try \`npx learn probe ${lesson.slug}\`, which sends datagrams and shows each reply.`,
    );
    return 1;
  }
  const port = portOption(context.flags.port);
  const solution = context.flags.solution === true;
  const serverPort = await freePort();
  const program = lessonProgram(context, lesson, serverPort);
  const stop = new SignalStop(context, program);
  if (!(await untilListening(context, program, stop))) {
    stop.dispose();
    return stop.signal ? 0 : 1;
  }
  const session = new SpySession({ listenPort: port, serverPort, out: context.out });
  try {
    await session.listen();
  } catch (error) {
    await program.stop();
    stop.dispose();
    const code = (error as NodeJS.ErrnoException).code;
    context.out(
      paint.failure(`Spy cannot listen on 127.0.0.1:${port} (${code}): ${code === 'EADDRINUSE' ? 'something already does (`learn run`?).' : 'see above.'}`),
    );
    context.out(`Try: stop what listens there, or choose another port: ${paint.code(`npx learn spy ${lesson.slug} --port ${port + 1}`)}`);
    return 1;
  }
  const who = solution ? 'the reference' : 'your';
  context.out(
    paint.success(`Spy listens on 127.0.0.1:${port} and relays to ${who} ${lesson.slug} server on 127.0.0.1:${serverPort}.`) +
      paint.dim(' Ctrl-C stops both and writes the session as a page.'),
  );
  context.out('Try it from another terminal:');
  for (const line of tryItLines(lesson, port, { skipRun: true })) context.out(`  ${paint.code(line)}`);
  context.out(`  ${paint.code(`npx learn probe ${lesson.slug}`)}    (type bytes by hand)`);
  context.out(paint.dim(`(→ sent by the client, ← sent by ${who === 'your' ? 'your server' : 'the server'})`));

  const forgetPort = recordRunPort(lesson.slug, port);
  const why = await Promise.race([stop.requested.then(() => 'signal' as const), program.exited.then(() => 'exit' as const)]);
  forgetPort();
  // The relay keeps running while the server shuts down: what it says on the way out (close
  // frames, FINs) reaches the clients and the record.
  const outcome = why === 'signal' ? await stop.finished : undefined;
  stop.dispose();
  session.stop();
  await program.stop();
  if (outcome) context.out(paint.dim(stoppedLine(program, stop.signal!, outcome)));
  const page = writePage(session, lesson.slug, solution, port, serverPort);
  const { connections, sent, received } = session.totals;
  context.out(paint.dim(`${connections} ${connections === 1 ? 'connection' : 'connections'}, ${byteCount(sent)} →, ${byteCount(received)} ←.`));
  context.out(`The session, as a page: ${paint.code(path.relative(process.cwd(), page) || page)}  (open it in a browser)`);
  if (why === 'exit' && !program.exit?.stoppedByHarness) {
    context.out(paint.failure(`${program.name} ${program.describeExit()}.`));
    return 1;
  }
  return 0;
}

/** Writes .learn/spy/<time>.html and returns its path. */
function writePage(session: SpySession, slug: string, solution: boolean, port: number, serverPort: number): string {
  const started = new Date();
  const folder = path.join(stateDir, 'spy');
  fs.mkdirSync(folder, { recursive: true });
  // Colons are not allowed in Windows file names: 2026-12-01T02-55-03.html
  const stamp = started.toISOString().slice(0, 19).replaceAll(':', '-');
  let file = path.join(folder, `${stamp}.html`);
  for (let n = 2; fs.existsSync(file); n++) file = path.join(folder, `${stamp}-${n}.html`);
  const { connections, sent, received } = session.totals;
  const html = renderPage({
    title: `learn spy · ${slug}${solution ? ' (the reference)' : ''} · ${started.toLocaleString()}`,
    about: [
      `Clients connected to 127.0.0.1:${port}; spy relayed each connection to the server on 127.0.0.1:${serverPort}.`,
      `${connections} ${connections === 1 ? 'connection' : 'connections'}, ${byteCount(sent)} from the clients, ${byteCount(received)} from the server. Open "the bytes" under an arrow to see them exactly.`,
    ],
    events: session.record.events,
    dropped: session.record.dropped,
  });
  fs.writeFileSync(file, html);
  return file;
}

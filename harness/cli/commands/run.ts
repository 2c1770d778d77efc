// `learn run [lesson]`: start the learner's server (or the reference) on a port, print what to
// try, stream its output, and on Ctrl-C pass the signal on to it, give it a few seconds to end by
// itself, then stop it and all it started.

import { ensureDevCertificates, OpensslMissingError } from '../../dev-certificates.ts';
import { tlsDir } from '../../paths.ts';
import path from 'node:path';
import { paint } from '../../terminal.ts';
import { type Context } from '../context.ts';
import { lessonProgram, portOption, SignalStop, stoppedLine, untilListening } from '../lesson-program.ts';
import { Progress } from '../progress.ts';
import { recordRunPort } from '../run-port.ts';
import { ncAdvice, tryItLines } from '../try-it.ts';

export async function run(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  const lesson = progress.lessonFor(context);
  if (!lesson.entry || !lesson.program) {
    context.out(`Lesson ${lesson.slug} has no server to run: its checks import your module directly. See its README for how to try it.`);
    return 1;
  }
  if (lesson.program.tls && !developmentCertificates(context)) return 1;
  const port = portOption(context.flags.port);
  const solution = context.flags.solution === true;
  const program = lessonProgram(context, lesson, port);
  const stop = new SignalStop(context, program);
  if (!(await untilListening(context, program, stop))) {
    stop.dispose();
    return stop.signal ? 0 : 1;
  }
  context.out(paint.success(`${solution ? 'The reference' : 'Your'} ${lesson.slug} server listens on 127.0.0.1:${port}.`) + paint.dim(' Ctrl-C stops it.'));
  context.out('Try it from another terminal:');
  for (const line of tryItLines(lesson, port, { skipRun: true })) context.out(`  ${paint.code(line)}`);
  const noNc = ncAdvice(lesson, port);
  if (noNc) context.out(`  ${noNc.advice}\n  ${paint.code(noNc.command)}`);
  if (noNc) context.out(`  ${paint.code(`npx learn probe ${lesson.slug}`)}    ${paint.dim('(or this: type bytes, see the wire)')}`);
  const forgetPort = recordRunPort(lesson.slug, port);
  await program.exited;
  forgetPort();
  stop.dispose();
  if (!stop.signal) {
    context.out(paint.failure(`${program.name} ${program.describeExit()}.`));
    return 1;
  }
  context.out(paint.dim(stoppedLine(program, stop.signal, await stop.finished)));
  return 0;
}

/** Makes or reuses .learn/tls/ and says where the CA is; false (with the reason) when it cannot. */
function developmentCertificates(context: Context): boolean {
  try {
    const set = ensureDevCertificates(tlsDir);
    const ca = path.relative(process.cwd(), set.ca) || set.ca;
    context.out(
      `Development certificates in ${path.relative(process.cwd(), set.dir) || set.dir}/ (localhost, 127.0.0.1; app.test, *.app.test). Trust the CA ${paint.code(ca)}:`,
    );
    context.out(`  curl --cacert ${ca} https://localhost:PORT/    Python: ssl.create_default_context(cafile='${ca}')    a browser: import it as an authority`);
    return true;
  } catch (error) {
    context.out(
      paint.failure(error instanceof OpensslMissingError ? error.message : `Could not make the development certificates: ${(error as Error).message}`),
    );
    return false;
  }
}

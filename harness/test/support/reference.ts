// A lesson's reference program, started on a free loopback port for the project's tests (real
// clients, spy, probe): the same Program a check uses, named so that a failure says which.

import path from 'node:path';
import { findLesson, solutionFolder } from '../../lesson.ts';
import { freePort } from '../../process/free-port.ts';
import { Program } from '../../process/program.ts';

export interface Reference {
  program: Program;
  port: number;
  /** `http://127.0.0.1:<port>` */
  base: string;
}

/** Starts `slug`'s reference with `--port N` and `args`, and resolves once it listens. */
export async function startReference(slug: string, { args = [] as string[], startTimeoutMs = 10_000 } = {}): Promise<Reference> {
  const lesson = findLesson(slug);
  if (!lesson.entry || !lesson.program) throw new Error(`${slug} has no program to start.`);
  const port = await freePort();
  const program = new Program({
    entry: path.join(solutionFolder(lesson), lesson.entry),
    args: ['--port', String(port), ...args],
    transport: lesson.program.transport,
    port,
    startTimeoutMs,
    name: `the ${slug} reference`,
  });
  await program.waitUntilListening();
  return { program, port, base: `http://127.0.0.1:${port}` };
}

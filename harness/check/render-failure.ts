// Renders one failed test for a learner: the fact, the bytes compared, why, where it is written
// down, what to try, then what crossed the wire and what the program printed. When the program
// exited during the test, that comes first: it explains everything after it.

import type { FailureData } from '../testing/failure.ts';
import type { TestMeta } from '../testing/meta.ts';
import { indent, paint } from '../terminal.ts';
import { layoutComparison } from './render-comparison.ts';
import { renderWire } from './render-wire.ts';
import { repoRoot } from '../paths.ts';

/** The parts of a Vitest error we read (a LessonFailure adds `learn`). */
export interface ReportedError {
  name?: string;
  message: string;
  learn?: FailureData;
  diff?: string;
  stack?: string;
}

/** Lines of program output shown at most (the tail, where the crash is). */
const MAX_OUTPUT_LINES = 20;

export function renderFailure(error: ReportedError | undefined, meta: TestMeta, options: { showWire?: boolean } = {}): string[] {
  const lines: string[] = [];
  const learn = error?.learn;
  // A program that exited explains every failure after it: say so first, unless the failure does.
  const crash = learn?.exited ? undefined : meta.program?.crash;
  if (crash) lines.push(paint.strong(paint.failure(crash.message)));
  lines.push(paint.strong(paint.failure(explain(error))));
  if (learn?.comparison) {
    const { expected, received, caret } = layoutComparison(learn.comparison);
    lines.push('', ...indent([expected, received, paint.caret(caret)], 2));
  } else if (error?.diff && !learn) {
    lines.push('', ...indent(error.diff.split('\n'), 2));
  }
  const facts: Array<[string, string | undefined]> = [
    ['Why', crash?.why ?? learn?.why],
    ['Read', crash ? crash.spec : learn?.spec],
    ['Try', crash?.hint ?? learn?.hint],
  ];
  const present = facts.filter(([, value]) => value);
  if (present.length > 0) lines.push('');
  for (const [label, value] of present) lines.push(`${paint.heading(label.padEnd(5))} ${value}`);
  if (!learn && error?.stack && !isTimeout(error)) {
    // Not one of ours: an exception in code of yours that the test called, or in the test.
    const frames = error.stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line) && !/node_modules|node:internal/.test(line))
      .map((line) => line.trim().replace(`file://${repoRoot}/`, '').replace(`${repoRoot}/`, ''));
    lines.push(
      '',
      paint.dim('Where:'),
      ...indent(
        frames.slice(0, 6).map((l) => paint.dim(l)),
        2,
      ),
    );
  }
  if (options.showWire !== false) lines.push(...renderContext(meta));
  return lines;
}

/**
 * An error outside any check: usually an exception thrown from a callback in the learner's code
 * (an event handler, a timer) that no test was awaiting. Shown like a failure, without a wire.
 */
export function renderRunError(error: ReportedError): string[] {
  const lines = renderFailure(error, {}, { showWire: false });
  if (thrownByLearnerCode(error)) {
    lines.push(
      '',
      `${paint.heading('Why'.padEnd(5))} It was thrown from a callback (an event handler or a timer) in your code, outside any check, so nothing could catch it.`,
    );
    lines.push(`${paint.heading('Try'.padEnd(5))} Look at the first line under Where; catch the error there, or find why the value is not what you expected.`);
  }
  return lines;
}

/** The wire transcript and the program's output, for failures and for --verbose passes. */
export function renderContext(meta: TestMeta): string[] {
  const lines: string[] = [];
  if (meta.wire?.length) {
    lines.push('', paint.heading('On the wire') + paint.dim(`  (${'→'} sent by the check, ${'←'} sent by ${meta.program?.name ?? 'your program'})`));
    lines.push(...indent(renderWire(meta.wire), 2));
  }
  if (meta.output?.length) {
    const shown = meta.output.slice(-MAX_OUTPUT_LINES);
    const name = meta.program?.name ?? 'your program';
    lines.push(
      '',
      paint.heading(`${capitalise(name)} printed`) +
        (shown.length < meta.output.length ? paint.dim(`  (last ${shown.length} of ${meta.output.length} lines)`) : ''),
    );
    for (const line of shown) {
      const text = line.stream === 'stderr' ? paint.warning(line.text) : line.text;
      lines.push(`  ${paint.dim('│')} ${text}`);
    }
  }
  return lines;
}

function explain(error: ReportedError | undefined): string {
  if (!error) return 'This check failed.';
  if (isTimeout(error)) {
    return 'This check ran out of time: an exchange never finished. The wire below shows the last thing that happened.';
  }
  if (!error.learn && thrownByLearnerCode(error)) return `Your code threw ${error.name ?? 'an error'}: ${error.message}`;
  return error.message;
}

/** True when the top frame of the stack is in a lesson file (not in a hidden test). */
function thrownByLearnerCode(error: ReportedError): boolean {
  const top = error.stack?.split('\n').find((line) => /^\s+at /.test(line));
  return top !== undefined && /(lessons|solutions)\/\d\d-[^/]+\/(?!\.check)/.test(top);
}

function isTimeout(error: ReportedError): boolean {
  return /Test timed out in \d+ms/.test(error.message);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

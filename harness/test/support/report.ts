// Runs one lesson's checks against one of its known mistakes and prints what `learn check` would
// show the learner (no colour), for tests of the report end to end. Not a test itself:
//   node --import tsx harness/test/support/report.ts tcp-echo no-error-listener

import { LearnerReporter } from '../../check/reporter.ts';
import { runLessonTests } from '../../check/run.ts';
import { prepareAuthorTarget } from '../../dev/targets.ts';
import { findLesson } from '../../lesson.ts';
import { setColour } from '../../terminal.ts';

const [slug, mistake] = process.argv.slice(2);
if (!slug || !mistake) throw new Error('usage: report.ts <lesson> <mistake>');
setColour(false);
const lesson = findLesson(slug);
let out = '';
const target = { kind: 'mistake', name: mistake } as const;
await runLessonTests(lesson, {
  target,
  prepared: prepareAuthorTarget(lesson, target),
  reporters: [new LearnerReporter({ lesson, write: (text) => (out += text) })],
});
process.stdout.write(out);
process.exitCode = 0; // Vitest sets 1 for the failures, which are the point here

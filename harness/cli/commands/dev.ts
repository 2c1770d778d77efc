// `learn dev check [lesson] [--json]`: the author checks of dev/verify.ts, for one lesson or all.

import { findLesson, lessons } from '../../lesson.ts';
import { paint } from '../../terminal.ts';
import { verify, type LessonVerdict } from '../../dev/verify.ts';
import { mistakePatchFile, stubPatchFile, writePatchFile } from '../../dev/patches.ts';
import path from 'node:path';
import { lessonFolder } from '../../lesson.ts';
import { UsageError, type Context } from '../context.ts';

export async function dev(context: Context): Promise<number> {
  const [sub, name] = context.args;
  if (sub === 'mistake') return mistake(context);
  if (sub === 'stub') return stub(context);
  if (sub !== 'check') throw new UsageError('`learn dev` takes: check [lesson] [--json]; stub <lesson>; mistake <lesson> <name> <edited files…>.');
  const chosen = name === undefined ? lessons : [findLesson(name)];
  const json = context.flags.json === true;
  const verdicts: LessonVerdict[] = [];
  for (const lesson of chosen) {
    if (!json) context.out(paint.heading(`${lesson.number} ${lesson.slug}`));
    const verdict = await verify(lesson, (t) => {
      if (json) return;
      const mark = t.ok ? paint.success('✓') : paint.failure('✗');
      const expectation = t.shouldPass ? 'passes' : 'fails';
      const detail = t.shouldPass ? `${t.passed} passed, ${t.failed} failed` : t.caughtBy ? `caught by: ${t.caughtBy}` : 'NOT CAUGHT: every test passed';
      context.out(`  ${mark} ${t.target.padEnd(40)} ${paint.dim(`should ${t.shouldPass ? 'pass' : 'fail'}, ${t.ok ? expectation : 'does not'} — ${detail}`)}`);
    });
    if (!json) for (const problem of verdict.problems) context.out(`  ${paint.failure('✗')} ${problem}`);
    verdicts.push(verdict);
  }
  const ok = verdicts.every((v) => v.ok);
  if (json) context.out(JSON.stringify({ ok, lessons: verdicts }, null, 2));
  else context.out(ok ? paint.success(`\nAll ${verdicts.length} lessons verified.`) : paint.failure(`\n${verdicts.filter((v) => !v.ok).length} of ${verdicts.length} lessons have problems.`));
  return ok ? 0 : 1;
}

/**
 * `learn dev mistake <lesson> <name> <edited files…>`: records a known mistake as a patch against
 * the reference. Copy the reference file(s) anywhere, keep their names, make the mistake, add a
 * first line `// MISTAKE: what it gets wrong`, then run this.
 */
function mistake(context: Context): number {
  const [, name, mistakeName, ...files] = context.args;
  if (!name || !mistakeName || files.length === 0) {
    throw new UsageError('Usage: learn dev mistake <lesson> <name> <edited copies of lesson files…>, e.g. learn dev mistake tcp-echo text-decoding /tmp/server.ts');
  }
  const lesson = findLesson(name);
  const file = mistakePatchFile(lesson, mistakeName);
  writePatchFile(lesson, file, files);
  context.out(`Wrote ${file}. Check it is caught: npx learn dev check ${lesson.slug}`);
  return 0;
}

/** `learn dev stub <lesson>`: records the lesson's files as they are now as its stub (.check/stub.patch). */
function stub(context: Context): number {
  const [, name] = context.args;
  if (!name) throw new UsageError('Usage: learn dev stub <lesson> — records lessons/<lesson>/ files as the stub.');
  const lesson = findLesson(name);
  writePatchFile(lesson, stubPatchFile(lesson), lesson.files.map((file) => path.join(lessonFolder(lesson), file)));
  context.out(`Wrote ${stubPatchFile(lesson)} from ${lesson.files.join(', ')}.`);
  return 0;
}

// `learn dev check [lesson] [--json]`: the author checks of dev/verify.ts, for one lesson or all.

import { findLesson, lessons } from '../../lesson.ts';
import { paint } from '../../terminal.ts';
import { verifyAll, type TargetVerdict } from '../../dev/verify.ts';
import { formatLessons } from '../../dev/format.ts';
import { mistakePatchFile, stubPatchFile, writePatchFile } from '../../dev/patches.ts';
import path from 'node:path';
import { lessonFolder } from '../../lesson.ts';
import { UsageError, type Context } from '../context.ts';

export async function dev(context: Context): Promise<number> {
  const [sub, ...names] = context.args;
  if (sub === 'mistake') return mistake(context);
  if (sub === 'stub') return stub(context);
  if (sub === 'format') return format(context, names);
  if (sub !== 'check')
    throw new UsageError(
      '`learn dev` takes: check [lesson…] [--json] [--seeds N] [--lanes N] [--without-mistakes]; stub <lesson>; mistake <lesson> <name> <edited files…>; format [lesson…] [--check].',
    );
  const chosen = names.length === 0 ? lessons : names.map(findLesson);
  const json = context.flags.json === true;
  const seeds = count(context.flags.seeds, 'seeds', 3);
  const lanes = count(context.flags.lanes, 'lanes', 2);
  const started = performance.now();
  // Verdicts arrive as lanes finish them, lessons interleaved; each line names its lesson.
  const verdicts = await verifyAll(chosen, {
    seeds,
    lanes,
    withoutMistakes: context.flags['without-mistakes'] === true,
    onTarget: (lesson, t) => {
      if (json) return;
      const mark = t.ok ? paint.success('✓') : paint.failure('✗');
      context.out(`  ${mark} ${`${lesson.number} ${lesson.slug}`.padEnd(22)} ${t.target.padEnd(36)} ${paint.dim(describeVerdict(t))}`);
    },
  });
  if (!json) {
    for (const verdict of verdicts) for (const problem of verdict.problems) context.out(`  ${paint.failure('✗')} ${verdict.slug}: ${problem}`);
  }
  const ok = verdicts.every((v) => v.ok);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (json) context.out(JSON.stringify({ ok, seeds, lanes, seconds: Number(seconds), lessons: verdicts }, null, 2));
  else
    context.out(
      ok
        ? paint.success(`\nAll ${verdicts.length} lessons verified (${seconds} s).`)
        : paint.failure(`\n${verdicts.filter((v) => !v.ok).length} of ${verdicts.length} lessons have problems (${seconds} s).`),
    );
  return ok ? 0 : 1;
}

/** One line: what the target did, which test killed it, and how often. */
function describeVerdict(t: TargetVerdict): string {
  const runs = t.runs.length;
  if (t.shouldPass) return t.ok ? `passes (${t.passed} tests)` : `should pass, but ${t.failed} failed — first: ${t.caughtBy}`;
  if (t.runs.length === 0) return `could not be made: ${t.caughtBy}`;
  const caught = t.runs.filter((r) => r.ok).length;
  const by = t.killedBy.map((k) => `"${k.test}"${runs > 1 ? ` ×${k.seeds.length}` : ''}`).join(', ');
  if (caught === 0) return `NOT CAUGHT: every test passed${runs > 1 ? ` in all ${runs} runs (seeds ${t.runs.map((r) => r.seed).join(', ')})` : ''}`;
  const missed = t.runs.filter((r) => !r.ok).map((r) => r.seed);
  if (t.flaky)
    return `FLAKY: caught in ${caught} of ${runs} runs, by ${by}; missed with seed ${missed.join(', ')} (replay: learn check --seed S on the mistake)`;
  return `caught by ${by}`;
}

function count(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined || value === false) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} takes a whole number of at least 1; received "${value}".`);
  return n;
}

/**
 * `learn dev mistake <lesson> <name> <edited files…>`: records a known mistake as a patch against
 * the reference. Copy the reference file(s) anywhere, keep their names, make the mistake, add a
 * first line `// MISTAKE: what it gets wrong`, then run this.
 */
function mistake(context: Context): number {
  const [, name, mistakeName, ...files] = context.args;
  if (!name || !mistakeName || files.length === 0) {
    throw new UsageError(
      'Usage: learn dev mistake <lesson> <name> <edited copies of lesson files…>, e.g. learn dev mistake tcp-echo text-decoding /tmp/server.ts',
    );
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
  writePatchFile(
    lesson,
    stubPatchFile(lesson),
    lesson.files.map((file) => path.join(lessonFolder(lesson), file)),
  );
  context.out(`Wrote ${stubPatchFile(lesson)} from ${lesson.files.join(', ')}.`);
  return 0;
}

/**
 * `learn dev format [lesson…] [--check]`: formats the references, the stubs and every patched
 * program, and records the patches again (dev/format.ts). `npm run format` runs it before Prettier
 * formats the rest; with --check it changes nothing and fails when something is not formatted.
 */
async function format(context: Context, names: string[]): Promise<number> {
  const chosen = names.length === 0 ? lessons : names.map(findLesson);
  const check = context.flags.check === true;
  const { changed } = await formatLessons(chosen, { check });
  for (const file of changed) context.out(`  ${check ? 'not formatted' : 'formatted'}: ${file}`);
  if (check && changed.length > 0) {
    context.out(paint.failure(`\n${changed.length} lesson files or patches are not formatted. Run: npm run format`));
    return 1;
  }
  context.out(`${check ? 'Checked' : 'Formatted'} ${chosen.length} lessons; ${changed.length} files ${check ? 'would change' : 'changed'}.`);
  return 0;
}

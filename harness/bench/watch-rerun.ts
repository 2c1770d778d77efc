// How long `learn watch` takes to show a result after a save: in a scratch copy of the workbook
// with the reference in place of the learner's files, each lesson is watched and its first file
// saved (atomically: temporary file, rename) a few times. From LEARN_TRACE: detection → result
// shown, and the part of it that is not the lesson's own tests (the harness's overhead).
// Goal (issue 7): the result ≤ 0.5 s after the save is detected.
// Each save comes once the session has prepared the next run's threads (check/thread-shelf.ts), as
// a learner's does who reads the result before saving again; `--eager` saves as soon as the result
// is shown (an editor that saves on every keystroke), when the run waits for that preparing.
// `npm run bench -- watch-rerun [--eager] [saves] [lesson…]`.

import fs from 'node:fs';
import { lessons } from '../lesson.ts';
import { atomicSave, copyWorkbook } from '../test/workbook-copy.ts';
import type { Suite } from './main.ts';
import { millis, spread, traceEvents } from './stats.ts';

export const watchRerun: Suite = {
  name: 'watch-rerun',
  summary: '`learn watch`: from a detected save to the result on screen (goal ≤ 0.5 s), and the harness part of it',
  async run(args) {
    const eager = args.includes('--eager');
    const rest = args.filter((arg) => arg !== '--eager');
    const saves = Number(rest[0] ?? 5);
    const only = rest.slice(1);
    const chosen = lessons.filter((l) => only.length === 0 || only.includes(l.slug) || only.includes(String(l.number)));
    const copy = copyWorkbook();
    try {
      for (const lesson of lessons) fs.cpSync(copy.file('solutions', lesson.folder), copy.file('lessons', lesson.folder), { recursive: true });
      console.log(
        `${saves} saves per lesson, ${eager ? 'each as soon as the result is shown' : "each once the next run's threads are prepared"}. Figures: median (min–max).\n`,
      );
      console.log('| lesson | save detected → result | of which tests | harness (the rest) | first test result after detection |');
      console.log('| --- | --- | --- | --- | --- |');
      for (const lesson of chosen) {
        const watch = copy.learn(['watch', lesson.slug], { LEARN_TRACE: '1' });
        const prompt = new RegExp(`Watching ${lesson.slug} for changes`, 'g');
        const file = copy.file('lessons', lesson.folder, lesson.files[0]!);
        const original = fs.readFileSync(file, 'utf8');
        const latency: number[] = [];
        const tests: number[] = [];
        const first: number[] = [];
        try {
          await watch.waitFor(prompt, 1, 120_000);
          let shownAt = watch.out.length;
          for (let i = 1; i <= saves; i++) {
            if (!eager) await preparedSince(watch, shownAt, 10_000);
            const mark = watch.out.length;
            atomicSave(file, `${original}\n// save ${i}\n`);
            await watch.waitFor(prompt, i + 1, 120_000);
            shownAt = watch.out.length;
            const events = traceEvents(watch.out.slice(mark));
            const detected = events.find(([what]) => what === 'watch: change detected')?.[1];
            const shown = events.find(([what]) => what === 'watch: result shown')?.[1];
            if (detected === undefined || shown === undefined) throw new Error(`no trace of the rerun:\n${watch.out.slice(mark)}`);
            if (!/All \d+ checks passed/.test(watch.out.slice(mark))) throw new Error(`the reference failed under watch:\n${watch.out.slice(mark)}`);
            const results = events.filter(([what]) => /^(passed|failed) /.test(what));
            const sum = results.reduce((total, [what]) => total + Number(/\((\d+) ms\)$/.exec(what)?.[1] ?? 0), 0);
            latency.push(shown - detected);
            tests.push(sum);
            if (results[0]) first.push(results[0][1] - detected);
          }
        } finally {
          watch.child.kill('SIGINT');
          await watch.exited;
          fs.writeFileSync(file, original);
        }
        const harness = latency.map((l, i) => l - tests[i]!);
        console.log(
          `| ${lesson.number} ${lesson.slug} | ${millis(spread(latency))} | ${millis(spread(tests))} | ${millis(spread(harness))} | ${millis(spread(first))} |`,
        );
      }
    } finally {
      copy.remove();
    }
  },
};

/** Waits (bounded) until the session has said, after output position `from`, that its next threads are ready. */
async function preparedSince(watch: { out: string }, from: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/threads prepared/.test(watch.out.slice(from)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

// The author matrix that `npm test` runs (lessons.test.ts): every lesson's reference, stub and
// known mistakes, one seed each, on two lanes. Prints its wall time, the cost of one target
// (min/median/max), and the time projected for 19 lessons at the same cost per target.
// `npm run bench -- matrix-time [runs] [seeds]`.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { LessonVerdict } from '../dev/verify.ts';
import { lessons } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import type { Suite } from './main.ts';
import { millis, seconds, spread } from './stats.ts';

/** Lessons the course will have (issue 7: "room for nine more"). */
const PROJECTED_LESSONS = 19;

export const matrixTime: Suite = {
  name: 'matrix-time',
  summary: `the lesson matrix of \`npm test\` (\`learn dev check\`, two lanes): wall time, cost per target, projected for ${PROJECTED_LESSONS} lessons`,
  async run(args) {
    const runs = Number(args[0] ?? 1);
    const seeds = args[1] ?? '1';
    const walls: number[] = [];
    const perRun: number[] = [];
    let targets = 0;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'learn.mjs'), 'dev', 'check', '--json', '--seeds', seeds], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, CI: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
      walls.push(performance.now() - started);
      const verdict = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { ok: boolean; lessons: LessonVerdict[] };
      if (!verdict.ok) console.log('(the matrix found problems: see `learn dev check`)');
      targets = 0;
      for (const lesson of verdict.lessons) for (const target of lesson.targets) for (const run of target.runs) (targets++, perRun.push(run.ms));
    }
    const wall = spread(walls);
    const perTarget = wall.median / targets;
    console.log(`| figure | value |`);
    console.log('| --- | --- |');
    console.log(`| wall time (${lessons.length} lessons, ${targets} runs, seeds ${seeds}) | ${seconds(wall)} |`);
    console.log(`| one run, in its lane | ${millis(spread(perRun))} |`);
    console.log(`| wall time per run (wall / runs) | ${Math.round(perTarget)} ms |`);
    const projectedTargets = Math.round((targets / lessons.length) * PROJECTED_LESSONS);
    console.log(
      `| projected, ${PROJECTED_LESSONS} lessons (~${projectedTargets} runs at the same cost) | ${((perTarget * projectedTargets) / 1000).toFixed(0)} s |`,
    );
  },
};

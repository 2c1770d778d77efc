// Wall time of `learn check <lesson> --solution`, the whole command as a learner runs it (node
// start, tsx, Vitest, the learner's server, the tests), median of several runs per lesson.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { lessons } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import type { Suite } from './main.ts';

const RUNS = 5;

export const checkTime: Suite = {
  name: 'check-time',
  summary: `wall time of \`learn check <lesson> --solution\`, median of ${RUNS} runs (target: about 1 s)`,
  async run(args) {
    const only = args[0];
    console.log('| lesson | median | min | max |');
    console.log('| --- | --- | --- | --- |');
    for (const lesson of lessons.filter((l) => !only || l.slug === only)) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'learn.mjs'), 'check', lesson.slug, '--solution', '--no-color'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CI: '1' } });
        if (result.status !== 0) throw new Error(`learn check ${lesson.slug} --solution failed:\n${result.stdout}${result.stderr}`);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
      console.log(`| ${lesson.number} ${lesson.slug} | ${s(times[Math.floor(RUNS / 2)]!)} | ${s(times[0]!)} | ${s(times.at(-1)!)} |`);
    }
  },
};

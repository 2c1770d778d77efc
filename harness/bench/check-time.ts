// Wall time of `learn check <lesson> --solution`, the whole command as a learner runs it (node
// start, tsx, Vitest, the learner's server, the tests), interleaved rounds over the lessons so
// that a noisy neighbour weighs on all of them alike. With LEARN_TRACE each run also says where
// its time went (harness/trace.ts): the second table is that breakdown, medians.
// `npm run bench -- check-time [rounds] [lesson…] [--against <other checkout>]`: with --against,
// each run of this checkout follows one of the other, and the table adds their ratio.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { lessons } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import type { Suite } from './main.ts';
import { at, millis, seconds, spread, traceEvents } from './stats.ts';

/** The goals of issue 22: the median over lessons ≤ 1.2 s, and every lesson (the slowest) ≤ 2.0 s. */
const MEDIAN_GOAL_S = 1.2;
const SLOWEST_GOAL_S = 2.0;

/** Phases of a check, between trace events (the first one from the process start). */
const PHASES: Array<[string, string | undefined, string]> = [
  ['node + learn.mjs', undefined, 'learn.mjs started'],
  ['import vitest', 'learn.mjs started', 'vitest/node loaded'],
  ['tsx + CLI', 'vitest/node loaded', 'CLI loaded'],
  ['command', 'CLI loaded', 'run: start'],
  ['Vitest + worker', 'run: start', 'queued'],
  ['test imports', 'queued', 'collected'],
  ['tests', 'collected', 'run: tests done'],
  ['teardown', 'run: tests done', 'closed'],
];

/**
 * One `learn check <slug> --solution` in `root`, timed. Under /usr/bin/time when there is one, for
 * the CPU time of the whole tree (the learner's programs are reaped by it, so they count).
 */
function learnCheck(root: string, slug: string, trace: boolean): { result: SpawnSyncReturns<string>; wall: number; cpu?: number } | undefined {
  const time = fs.existsSync('/usr/bin/time');
  const command = [process.execPath, path.join(root, 'bin', 'learn.mjs'), 'check', slug, '--solution', '--no-color'];
  const started = performance.now();
  const result = spawnSync(time ? '/usr/bin/time' : command[0]!, time ? ['-f', '[cpu] %U %S', ...command] : command.slice(1), {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', ...(trace ? { LEARN_TRACE: '1' } : {}) },
  });
  const wall = performance.now() - started;
  if (result.status !== 0) {
    // A reference that fails under load is a finding, not the end of the bench: said, and not counted.
    console.log(
      `(learn check ${slug} --solution failed in ${root}; not counted)\n${result.stdout
        .split('\n')
        .filter((line) => line.includes('✗'))
        .join('\n')}`,
    );
    return undefined;
  }
  const cpu = /^\[cpu\] ([\d.]+) ([\d.]+)$/m.exec(result.stderr);
  return { result, wall, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined };
}

export const checkTime: Suite = {
  name: 'check-time',
  summary: 'wall time of `learn check <lesson> --solution` (goals: median over lessons ≤ 1.2 s, slowest ≤ 2.0 s), and where it goes',
  async run(args) {
    const against = args.includes('--against') ? args.splice(args.indexOf('--against'), 2)[1] : undefined;
    const rounds = Number(args[0] ?? 5);
    const only = args.slice(1);
    const others = new Map<string, { wall: number[]; cpu: number[] }>();
    const cpus = new Map<string, number[]>();
    const chosen = lessons.filter((l) => only.length === 0 || only.includes(l.slug) || only.includes(String(l.number)));
    const walls = new Map<string, number[]>();
    const phases = new Map<string, Map<string, number[]>>();
    const testSums = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const lesson of chosen) {
        if (against) {
          // The other checkout right before this one, so that both meet the same neighbours.
          const other = learnCheck(against, lesson.slug, false);
          if (!other) continue;
          const seen = others.get(lesson.slug) ?? { wall: [], cpu: [] };
          seen.wall.push(other.wall);
          if (other.cpu !== undefined) seen.cpu.push(other.cpu);
          others.set(lesson.slug, seen);
        }
        const mine = learnCheck(repoRoot, lesson.slug, true);
        if (!mine) {
          // Rounds are compared in pairs: the other checkout's run of this round goes too.
          others.get(lesson.slug)?.wall.pop();
          continue;
        }
        const { result, wall, cpu } = mine;
        walls.set(lesson.slug, [...(walls.get(lesson.slug) ?? []), wall]);
        if (cpu !== undefined) cpus.set(lesson.slug, [...(cpus.get(lesson.slug) ?? []), cpu]);
        const events = traceEvents(result.stderr);
        const spent = phases.get(lesson.slug) ?? new Map<string, number[]>();
        for (const [name, from, to] of PHASES) {
          const end = at(events, to);
          const begin = from === undefined ? 0 : at(events, from);
          if (end !== undefined && begin !== undefined) spent.set(name, [...(spent.get(name) ?? []), end - begin]);
        }
        const closed = at(events, 'closed');
        if (closed !== undefined) spent.set('exit', [...(spent.get('exit') ?? []), wall - closed]);
        phases.set(lesson.slug, spent);
        const durations = [...result.stdout.matchAll(/✓ .*?(\d+(?:\.\d+)?) (ms|s)$/gm)].map((m) => Number(m[1]) * (m[2] === 's' ? 1000 : 1));
        testSums.set(lesson.slug, [...(testSums.get(lesson.slug) ?? []), durations.reduce((a, b) => a + b, 0)]);
      }
    }
    console.log(`${rounds} rounds, interleaved. Figures: median (min–max).\n`);
    const compared = against ? ` | ${path.basename(against)}: wall | its CPU | this / that (wall)` : '';
    console.log(`| lesson | wall | goal | CPU (user+sys, all processes) | sum of test durations${compared} |`);
    console.log(`| --- | --- | --- | --- | ---${against ? ' | --- | --- | ---' : ''} |`);
    const measured = chosen.filter((lesson) => walls.has(lesson.slug));
    for (const lesson of measured) {
      const wall = spread(walls.get(lesson.slug)!);
      const goal = SLOWEST_GOAL_S;
      const cpu = cpus.get(lesson.slug);
      let row = `| ${lesson.number} ${lesson.slug} | ${seconds(wall)} | ${wall.median / 1000 <= goal ? '✓' : '✗'} ≤ ${goal.toFixed(1)} s | ${cpu ? seconds(spread(cpu)) : '–'} | ${millis(spread(testSums.get(lesson.slug)!))}`;
      const other = others.get(lesson.slug);
      if (other) {
        const ratios = walls.get(lesson.slug)!.map((w, i) => w / other.wall[i]!);
        const r = spread(ratios);
        row += ` | ${seconds(spread(other.wall))} | ${other.cpu.length ? seconds(spread(other.cpu)) : '–'} | ${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
      }
      console.log(`${row} |`);
    }
    const medians = measured.map((lesson) => spread(walls.get(lesson.slug)!).median / 1000).sort((a, b) => a - b);
    if (medians.length > 0) {
      const middle = medians.length % 2 ? medians[(medians.length - 1) / 2]! : (medians[medians.length / 2 - 1]! + medians[medians.length / 2]!) / 2;
      const slowest = medians[medians.length - 1]!;
      console.log(
        `\nMedian over these ${medians.length} lessons: ${middle.toFixed(2)} s (goal ≤ ${MEDIAN_GOAL_S} s ${middle <= MEDIAN_GOAL_S ? '✓' : '✗'}); slowest: ${slowest.toFixed(2)} s (goal ≤ ${SLOWEST_GOAL_S} s ${slowest <= SLOWEST_GOAL_S ? '✓' : '✗'}).`,
      );
    }
    console.log('\nWhere the time goes (LEARN_TRACE), median (min–max) per phase:\n');
    const names = [...PHASES.map(([name]) => name), 'exit'];
    console.log(`| lesson | ${names.join(' | ')} |`);
    console.log(`| --- |${names.map(() => ' --- |').join('')}`);
    for (const lesson of measured) {
      const mine = phases.get(lesson.slug)!;
      console.log(`| ${lesson.number} | ${names.map((name) => (mine.get(name) ? millis(spread(mine.get(name)!)) : '–')).join(' | ')} |`);
    }
  },
};

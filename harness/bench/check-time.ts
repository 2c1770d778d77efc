// Wall time of `learn check <lesson> --solution`, the whole command as a learner runs it (node
// start, tsx, Vitest, the learner's server, the tests), interleaved rounds over the lessons so
// that a noisy neighbour weighs on all of them alike. With LEARN_TRACE each run also says where
// its time went (harness/trace.ts): the second table is that breakdown, medians.
// `npm run bench -- check-time [rounds] [lesson…] [--against <other checkout>] [--stub]`: with
// --against, each run of this checkout follows one of the other, and the table adds their ratio.
// With --stub, `learn check <slug>` runs on the lesson's stub (the learner's usual state: the
// earlier lessons done, this one not begun), in a scratch copy of each checkout whose other
// lessons hold the reference, and the table says when the first failure came: the goal is within
// 0.5 s of the fixed start cost (from the process start to the first test file collected).
// Without --resident every check runs in its own process (LEARN_RESIDENT=off). With --resident,
// each lesson of each round is checked three ways: the first check of a clone (no resident check
// process: it runs in-process and leaves one behind), a later one (served by the warm resident
// process), and one with LEARN_RESIDENT=off; the table puts them side by side.

import { execSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lessons } from '../lesson.ts';
import { repoRoot } from '../paths.ts';
import type { Suite } from './main.ts';
import { at, millis, seconds, spread, traceEvents } from './stats.ts';

/** The goals of issue 22: the median over lessons ≤ 1.2 s, and every lesson (the slowest) ≤ 2.0 s. */
const MEDIAN_GOAL_S = 1.2;
const SLOWEST_GOAL_S = 2.0;

/** The goal of issue 22 for a failing check: its first failure within 0.5 s of the fixed start cost. */
const FIRST_FAILURE_GOAL_MS = 500;

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
function learnCheck(
  root: string,
  slug: string,
  trace: boolean,
  stub = false,
  env: Record<string, string> = { LEARN_RESIDENT: 'off' },
): { result: SpawnSyncReturns<string>; wall: number; cpu?: number } | undefined {
  const time = fs.existsSync('/usr/bin/time');
  const command = [process.execPath, path.join(root, 'bin', 'learn.mjs'), 'check', slug, ...(stub ? [] : ['--solution']), '--no-color'];
  const started = performance.now();
  const result = spawnSync(time ? '/usr/bin/time' : command[0]!, time ? ['-f', '[cpu] %U %S', ...command] : command.slice(1), {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', LEARN_ROOT: '', ...(trace || stub ? { LEARN_TRACE: '1' } : {}), ...env },
  });
  const wall = performance.now() - started;
  if (stub) {
    // A stub must fail, and with a test's failure (not a check that could not run).
    if (result.status === 1 && /^\[trace\]\s+\d+ ms {2}failed /m.test(result.stderr)) return { result, wall };
    console.log(`(learn check ${slug} on the stub did not fail a test in ${root}; not counted)\n${result.stdout.slice(-2000)}`);
    return undefined;
  }
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
    const stub = args.includes('--stub') ? Boolean(args.splice(args.indexOf('--stub'), 1)) : false;
    const resident = args.includes('--resident') ? Boolean(args.splice(args.indexOf('--resident'), 1)) : false;
    const rounds = Number(args[0] ?? 5);
    const only = args.slice(1);
    if (stub)
      return stubRuns(
        rounds,
        lessons.filter((l) => only.length === 0 || only.includes(l.slug) || only.includes(String(l.number))),
        against,
      );
    if (resident)
      return residentRuns(
        rounds,
        lessons.filter((l) => only.length === 0 || only.includes(l.slug) || only.includes(String(l.number))),
      );
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

/**
 * A scratch copy of the checkout at `root` as a learner has it at the start of a lesson: every
 * lesson's files are the reference's, but the one being checked, which is its stub.
 */
function stubCopy(root: string): { root: string; begin(folder: string): void; end(folder: string): void; remove(): void } {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'learn-stub-bench-'));
  for (const entry of fs.readdirSync(root)) {
    if (['node_modules', '.git', '.learn'].includes(entry)) continue;
    fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const reference = (folder: string) => fs.cpSync(path.join(root, 'solutions', folder), path.join(copy, 'lessons', folder), { recursive: true });
  for (const folder of fs.readdirSync(path.join(root, 'solutions'))) reference(folder);
  return {
    root: copy,
    begin: (folder) => {
      // The stub's files as the checkout has them (its .check/ is there already).
      for (const entry of fs.readdirSync(path.join(root, 'lessons', folder))) {
        if (entry !== '.check') fs.cpSync(path.join(root, 'lessons', folder, entry), path.join(copy, 'lessons', folder, entry), { recursive: true });
      }
    },
    end: reference,
    remove: () => fs.rmSync(copy, { recursive: true, force: true }),
  };
}

/** When a stub's check showed its first failure: ms since the process started, and since the fixed start cost (its first file collected). */
function firstFailure(stderr: string): { at: number; afterStart: number; start: number; shownAfterStart?: number } | undefined {
  const events = traceEvents(stderr);
  const failed = at(events, 'failed ');
  const start = at(events, 'collected ');
  if (failed === undefined || start === undefined) return undefined;
  // On the screen: the report holds a failure for the blame of an earlier lesson's file, until the
  // run has wound down (a checkout that does not trace it has no figure).
  const shown = at(events, 'shown: first failure');
  return { at: failed, afterStart: failed - start, start, shownAfterStart: shown === undefined ? undefined : shown - start };
}

/** `--stub`: how soon the check of a stub shows its first failure (issue 22: within 0.5 s of the start cost). */
async function stubRuns(rounds: number, chosen: typeof lessons, against: string | undefined): Promise<void> {
  const mine = stubCopy(repoRoot);
  const theirs = against ? stubCopy(path.resolve(against)) : undefined;
  const seen = new Map<
    string,
    { wall: number[]; first: number[]; after: number[]; shown: number[]; start: number[]; other: number[]; otherAfter: number[]; ratio: number[] }
  >();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const lesson of chosen) {
        const row = seen.get(lesson.slug) ?? { wall: [], first: [], after: [], shown: [], start: [], other: [], otherAfter: [], ratio: [] };
        seen.set(lesson.slug, row);
        let other: ReturnType<typeof firstFailure>;
        if (theirs) {
          theirs.begin(lesson.folder);
          try {
            other = firstFailure(learnCheck(theirs.root, lesson.slug, true, true)?.result.stderr ?? '');
          } finally {
            theirs.end(lesson.folder);
          }
          if (!other) continue;
        }
        mine.begin(lesson.folder);
        let run: ReturnType<typeof learnCheck>;
        try {
          run = learnCheck(mine.root, lesson.slug, true, true);
        } finally {
          mine.end(lesson.folder);
        }
        const first = run && firstFailure(run.result.stderr);
        if (!run || !first) continue;
        row.wall.push(run.wall);
        row.first.push(first.at);
        row.after.push(first.afterStart);
        if (first.shownAfterStart !== undefined) row.shown.push(first.shownAfterStart);
        row.start.push(first.start);
        if (other) {
          row.other.push(other.at);
          row.otherAfter.push(other.afterStart);
          row.ratio.push(first.at / other.at);
        }
      }
    }
  } finally {
    mine.remove();
    theirs?.remove();
  }
  console.log(
    `${rounds} rounds on the stubs, interleaved; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end. Figures: median (min–max).\n`,
  );
  const compared = against ? ` | ${path.basename(against)}: first failure | its failure after start | this / that (first failure) |` : ' |';
  console.log(`| lesson | wall | start cost (to the first file collected) | first failure | after start | goal | shown after start${compared}`);
  console.log(`| --- | --- | --- | --- | --- | --- | ---${against ? ' | --- | --- | ---' : ''} |`);
  for (const lesson of chosen) {
    const row = seen.get(lesson.slug);
    if (!row || row.wall.length === 0) continue;
    const after = spread(row.after);
    let line = `| ${lesson.number} ${lesson.slug} | ${seconds(spread(row.wall))} | ${millis(spread(row.start))} | ${millis(spread(row.first))} | ${millis(after)} | ${after.median <= FIRST_FAILURE_GOAL_MS ? '✓' : '✗'} ≤ ${FIRST_FAILURE_GOAL_MS} ms | ${row.shown.length ? millis(spread(row.shown)) : '–'}`;
    if (against) {
      const r = spread(row.ratio);
      line += ` | ${millis(spread(row.other))} | ${millis(spread(row.otherAfter))} | ${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
    }
    console.log(`${line} |`);
  }
}

/** The resident check process of `root` (harness/resident/), if one listens: its pid. */
function residentPid(root: string): number | undefined {
  try {
    const { pid, socket } = JSON.parse(fs.readFileSync(path.join(root, '.learn', 'resident.json'), 'utf8')) as { pid: number; socket: string };
    process.kill(pid, 0);
    return fs.existsSync(socket) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Ends the resident process of `root`, and waits (bounded) until it has gone. */
async function endResident(root: string): Promise<void> {
  const pid = residentPid(root);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && residentPid(root) === pid; i++) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Waits (bounded) until a resident process of `root` has loaded everything a check needs (its log says "warm"). */
async function residentWarm(root: string): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    const pid = residentPid(root);
    if (pid !== undefined) {
      const log = fs.readFileSync(path.join(root, '.learn', 'resident.log'), 'utf8');
      if (log.includes(`[${pid}] warm`)) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** `--resident`: each lesson's check as the first of a clone, as a later one (resident process warm), and in-process (LEARN_RESIDENT=off). */
async function residentRuns(rounds: number, chosen: typeof lessons): Promise<void> {
  const on = { LEARN_RESIDENT: 'on' };
  const seen = new Map<string, { first: number[]; warm: number[]; off: number[]; notServed: number }>();
  const uptimeBefore = execSync('uptime', { encoding: 'utf8' }).trim();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const lesson of chosen) {
        const row = seen.get(lesson.slug) ?? { first: [], warm: [], off: [], notServed: 0 };
        seen.set(lesson.slug, row);
        // The first check of a clone: nothing resident; it runs in-process and starts one after its result.
        await endResident(repoRoot);
        const first = learnCheck(repoRoot, lesson.slug, true, false, on);
        if (first) row.first.push(first.wall);
        if (!(await residentWarm(repoRoot))) console.log(`(no resident process became warm after learn check ${lesson.slug})`);
        const warm = learnCheck(repoRoot, lesson.slug, true, false, on);
        if (warm && /resident: accepted/.test(warm.result.stderr)) row.warm.push(warm.wall);
        else if (warm) row.notServed++;
        // Alone: the resident process, which starts its next run's zygotes and threads once a run
        // has ended, would otherwise take the cores from it.
        await endResident(repoRoot);
        const off = learnCheck(repoRoot, lesson.slug, true, false, { LEARN_RESIDENT: 'off' });
        if (off) row.off.push(off.wall);
        // As it goes, so that a long bench on a busy machine says something even if stopped.
        const f = (run: { wall: number } | undefined) => (run ? `${(run.wall / 1000).toFixed(2)} s` : 'failed');
        console.log(
          `round ${round + 1}, ${lesson.slug}: first ${f(first)}, served ${f(warm)}${warm && row.notServed ? ' (not served)' : ''}, off ${f(off)}; load ${load()}`,
        );
      }
    }
  } finally {
    await endResident(repoRoot);
  }
  console.log(`${rounds} rounds, interleaved. Figures: median (min–max).`);
  console.log(`Before: ${uptimeBefore}`);
  console.log(`After:  ${execSync('uptime', { encoding: 'utf8' }).trim()}\n`);
  console.log('| lesson | first check (no resident process) | later check (resident, warm) | in-process (LEARN_RESIDENT=off) | resident / off (medians) |');
  console.log('| --- | --- | --- | --- | --- |');
  const medians = { first: [] as number[], warm: [] as number[], off: [] as number[] };
  for (const lesson of chosen) {
    const row = seen.get(lesson.slug);
    if (!row || row.warm.length === 0 || row.off.length === 0) continue;
    const [first, warm, off] = [spread(row.first), spread(row.warm), spread(row.off)];
    if (first.runs > 0) medians.first.push(first.median); // none when every first check failed
    medians.warm.push(warm.median);
    medians.off.push(off.median);
    const missed = row.notServed > 0 ? ` (${row.notServed} not served)` : '';
    console.log(
      `| ${lesson.number} ${lesson.slug} | ${seconds(first)} | ${seconds(warm)}${missed} | ${seconds(off)} | ${(warm.median / off.median).toFixed(2)} |`,
    );
  }
  const over = (values: number[]) => spread(values);
  for (const [name, values] of [
    ['first check', medians.first],
    ['later check (resident)', medians.warm],
    ['in-process (off)', medians.off],
  ] as const) {
    if (values.length === 0) continue;
    const s = over(values);
    console.log(
      `\n${name}: over ${values.length} lessons' medians, median ${(s.median / 1000).toFixed(2)} s (goal ≤ ${MEDIAN_GOAL_S} s ${s.median / 1000 <= MEDIAN_GOAL_S ? '✓' : '✗'}), fastest ${(s.min / 1000).toFixed(2)} s, slowest ${(s.max / 1000).toFixed(2)} s (goal ≤ ${SLOWEST_GOAL_S} s ${s.max / 1000 <= SLOWEST_GOAL_S ? '✓' : '✗'}).`,
    );
  }
  console.log(`\nLoad average at the end: ${load()}.`);
}

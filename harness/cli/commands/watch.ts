// `learn watch [lesson]`: check on every save. Each check runs as its own process group, so a
// save mid-check, or quitting, stops it and every server it started. Keys (in a terminal):
// h hint, l list, n next lesson, Enter check again, q quit.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { lessonsDir, repoRoot } from '../../paths.ts';
import { killTree, reapStrays } from '../../process/reaper.ts';
import { paint } from '../../terminal.ts';
import type { Context } from '../context.ts';
import { Progress } from '../progress.ts';

const learnBin = path.join(repoRoot, 'bin', 'learn.mjs');
/** Editors save in bursts (write, rename, chmod): wait for the burst to end. */
const DEBOUNCE_MS = 150;

export async function watch(context: Context): Promise<number> {
  const progress = await Progress.open(context);
  let lesson = progress.lessonFor(context);
  let child: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;

  const learn = (args: string[], onDone?: (code: number | null) => void) => {
    stopChild();
    child = spawn(process.execPath, [learnBin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], detached: process.platform !== 'win32' });
    const mine = child;
    mine.on('exit', (code) => {
      if (child === mine) child = undefined;
      onDone?.(code);
    });
  };
  const stopChild = () => {
    if (child?.pid !== undefined) killTree(child.pid);
    child = undefined;
  };
  const prompt = () => context.out(paint.dim(`\nWatching ${lesson.slug} for changes. ${context.interactive ? 'Keys: h hint · l list · n next lesson · Enter check again · q quit' : 'Ctrl-C stops.'}`));
  const check = () => {
    if (context.interactive) process.stdout.write('\x1bc'); // clear the screen for a fresh report
    learn(['check', lesson.slug], prompt);
  };

  const watcher = fs.watch(lessonsDir, { recursive: true }, (_event, file) => {
    if (!file || file.split(path.sep).some((part) => part.startsWith('.'))) return; // hidden checks, editor swap files
    if (!file.endsWith('.ts')) return;
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  });

  check();
  return new Promise<number>((resolve) => {
    const quit = () => {
      watcher.close();
      clearTimeout(timer);
      stopChild();
      reapStrays();
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
      resolve(0);
    };
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
    if (!context.interactive) return;
    process.stdin.setRawMode(true);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (key: string) => {
      if (key === 'q' || key === '\u0003') quit();
      else if (key === 'h') learn(['hint', lesson.slug], () => prompt());
      else if (key === 'l') learn(['list'], () => prompt());
      else if (key === '\r' || key === '\n') check();
      else if (key === 'n') {
        learn(['next'], async () => {
          lesson = (await Progress.open(context)).current();
          prompt();
        });
      }
    });
  });
}

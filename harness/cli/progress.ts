// Progress as every command sees it. The one rule, stated in the README ("Your progress"), and
// the only place it is computed:
//
// - passed:  a lesson whose checks passed on the learner's code once (`learn check` records it;
//            nothing un-passes it). Each is stored with the time it first passed.
// - current: the lesson the learner is on: what `learn next` opens and what a command works on
//            when no lesson is named. It is the first lesson not passed after the lesson passed
//            most recently; when there is none after it, the first lesson not passed at all.
//            Once every lesson has passed there is none (commands then default to the last passed).
// - open:    the first lesson, every passed lesson, every lesson whose previous lesson has passed,
//            and every lesson whose program builds on earlier ones (the manifest's `uses`, followed
//            through: lesson.ts buildsOn) once all of those have passed. Any other is locked: the
//            lessons it builds on (for one that uses none, the lesson before it) have not passed.
//            Commands still work on a locked lesson, with a warning. The current lesson is always
//            open.

import { buildsOn, findLesson, lessons, type Lesson } from '../lesson.ts';
import { paint } from '../terminal.ts';
import type { Context } from './context.ts';
import { loadState, saveState, type Passed, type State } from './state.ts';

export function isPassedIn(passed: Passed, lesson: Lesson): boolean {
  return Object.hasOwn(passed, lesson.slug);
}

/** The lesson that first passed last; on equal times the later lesson. Undefined if none passed. */
export function lastPassedIn(passed: Passed): Lesson | undefined {
  let last: Lesson | undefined;
  for (const lesson of lessons) {
    if (isPassedIn(passed, lesson) && (last === undefined || passed[lesson.slug]! >= passed[last.slug]!)) last = lesson;
  }
  return last;
}

/** The current lesson (see the rule above); undefined once every lesson has passed. */
export function currentIn(passed: Passed): Lesson | undefined {
  const after = lastPassedIn(passed)?.number ?? 0;
  const notPassed = lessons.filter((l) => !isPassedIn(passed, l));
  return notPassed.find((l) => l.number > after) ?? notPassed[0];
}

export function isOpenIn(passed: Passed, lesson: Lesson): boolean {
  const before = lessons[lesson.number - 2];
  if (before === undefined || isPassedIn(passed, lesson) || isPassedIn(passed, before)) return true;
  const used = buildsOn(lesson);
  return used.length > 0 && used.every((l) => isPassedIn(passed, l));
}

/**
 * What a lesson waits for: the lessons it builds on that have not passed, or for a lesson that
 * builds on none, the lesson before it when that has not passed.
 */
export function waitingForIn(passed: Passed, lesson: Lesson): Lesson[] {
  const used = buildsOn(lesson);
  if (used.length > 0) return used.filter((l) => !isPassedIn(passed, l));
  const before = lessons[lesson.number - 2];
  return before && !isPassedIn(passed, before) ? [before] : [];
}

/** "lesson 7 (http-request-head)", "lessons 7 (http-request-head) and 8 (http-response)". */
export function nameLessons(list: readonly Lesson[]): string {
  const names = list.map((l) => `${l.number} (${l.slug})`);
  const joined = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  return `${list.length === 1 ? 'lesson' : 'lessons'} ${joined}`;
}

/**
 * Said by `learn next` and `learn check` when a lesson's program imports lessons not passed yet
 * (the manifest's `uses`): their files run in its checks too, so a failure may start in them.
 */
export function dependsOnUnpassed(lesson: Lesson, unpassed: readonly Lesson[]): string {
  return (
    `Lesson ${lesson.number}'s checks run your files of ${nameLessons(unpassed)} too (its program imports them), ` +
    `and ${unpassed.length === 1 ? 'that lesson has' : 'those have'} not passed: a failure may start there. ` +
    `\`npx learn check ${unpassed[0]!.slug}\` checks ${unpassed.length === 1 ? 'it' : 'the first'}.`
  );
}

export class Progress {
  private constructor(private readonly state: State) {}

  static async open(context: Context): Promise<Progress> {
    const progress = new Progress(loadState());
    // Only after an unreadable file (rarely): loaded when needed.
    if (progress.state.rebuilding) await (await import('./rebuild.ts')).rebuild(context, progress.state, () => progress.save());
    return progress;
  }

  /** The current lesson, or once every lesson has passed, the one passed last. */
  current(): Lesson {
    return this.upNext() ?? lastPassedIn(this.state.passed) ?? lessons[0]!;
  }

  /** The current lesson, undefined once every lesson has passed: what `learn next` opens. */
  upNext(): Lesson | undefined {
    return currentIn(this.state.passed);
  }

  lastPassed(): Lesson | undefined {
    return lastPassedIn(this.state.passed);
  }

  isPassed(lesson: Lesson): boolean {
    return isPassedIn(this.state.passed, lesson);
  }

  isUnlocked(lesson: Lesson): boolean {
    return isOpenIn(this.state.passed, lesson);
  }

  /** The lessons this one builds on (the manifest's `uses`, followed through) that have not passed. */
  unpassedUsed(lesson: Lesson): Lesson[] {
    return buildsOn(lesson).filter((l) => !this.isPassed(l));
  }

  passedCount(): number {
    return lessons.filter((l) => this.isPassed(l)).length;
  }

  markPassed(lesson: Lesson): void {
    this.state.passed[lesson.slug] ??= new Date().toISOString();
    this.save();
  }

  hintsShown(lesson: Lesson): number {
    return this.state.hints[lesson.slug] ?? 0;
  }

  setHintsShown(lesson: Lesson, count: number): void {
    this.state.hints[lesson.slug] = count;
    this.save();
  }

  /** The lesson a command is about: the one named, else the current one. Warns when it is locked. */
  lessonFor(context: Context, name = context.args[0]): Lesson {
    const lesson = name === undefined ? this.current() : findLesson(name);
    if (!this.isUnlocked(lesson)) {
      const waiting = waitingForIn(this.state.passed, lesson);
      const have = waiting.length === 1 ? 'has' : 'have';
      const why =
        buildsOn(lesson).length > 0
          ? `it builds on ${nameLessons(waiting)}, which ${have} not passed; its checks run your files of ${waiting.length === 1 ? 'it' : 'them'} too`
          : `${nameLessons(waiting)} before it ${have} not passed (the course goes in order)`;
      context.out(paint.warning(`Lesson ${lesson.number} (${lesson.slug}) is still locked: ${why}. Going ahead anyway.`));
    }
    return lesson;
  }

  private save(): void {
    saveState(this.state);
  }
}

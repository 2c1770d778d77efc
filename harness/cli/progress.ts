// Progress as every command sees it. The one rule, stated in the README ("Your progress"), and
// the only place it is computed:
//
// - passed:  a lesson whose checks passed on the learner's code once (`learn check` records it;
//            nothing un-passes it). Each is stored with the time it first passed.
// - current: the lesson the learner is on: what `learn next` opens and what a command works on
//            when no lesson is named. It is the first lesson not passed after the lesson passed
//            most recently; when there is none after it, the first lesson not passed at all.
//            Once every lesson has passed there is none (commands then default to the last passed).
// - open:    the first lesson, every passed lesson, and every lesson whose previous lesson has
//            passed. Any other is locked: the lesson before it builds what it needs. Commands still
//            work on a locked lesson, with a warning. The current lesson is always open.

import { findLesson, lessons, type Lesson } from '../lesson.ts';
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
  return before === undefined || isPassedIn(passed, lesson) || isPassedIn(passed, before);
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
      const before = lessons[lesson.number - 2]!;
      context.out(
        paint.warning(
          `Lesson ${lesson.number} (${lesson.slug}) is still locked: lesson ${before.number} (${before.slug}) before it, which builds what it needs, has not passed. Going ahead anyway.`,
        ),
      );
    }
    return lesson;
  }

  private save(): void {
    saveState(this.state);
  }
}

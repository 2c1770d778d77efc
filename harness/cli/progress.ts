// Progress as the commands see it: which lesson is current, which passed, which are unlocked.
// Wraps state.ts; when the state file had to be set aside, rebuilds progress by re-checking the
// learner's lessons in order, so nothing they earned is lost.

import { findLesson, lessons, type Lesson } from '../lesson.ts';
import { paint } from '../terminal.ts';
import type { Context } from './context.ts';
import { loadState, saveState, type State } from './state.ts';

export class Progress {
  private constructor(private readonly state: State) {}

  static async open(context: Context): Promise<Progress> {
    const { state, recovered } = loadState();
    const progress = new Progress(state);
    if (recovered) {
      context.out(paint.warning(`Your progress file could not be read (${recovered.reason}).`));
      context.out(paint.dim(`It was kept as ${recovered.movedTo}.`));
      await progress.rebuild(context);
    }
    return progress;
  }

  current(): Lesson {
    return findLesson(this.state.current);
  }

  isPassed(lesson: Lesson): boolean {
    return lesson.slug in this.state.passed;
  }

  /** The first lesson, any lesson up to the current one, and the one after a passed lesson. */
  isUnlocked(lesson: Lesson): boolean {
    if (lesson.number <= this.current().number) return true;
    const before = lessons[lesson.number - 2];
    return before !== undefined && this.isPassed(before);
  }

  passedCount(): number {
    return lessons.filter((l) => this.isPassed(l)).length;
  }

  markPassed(lesson: Lesson): void {
    this.state.passed[lesson.slug] ??= new Date().toISOString();
    this.save();
  }

  /** Moves on to the lesson after the current one; returns it, or undefined at the end. */
  advance(): Lesson | undefined {
    const next = lessons[this.current().number];
    if (next) {
      this.state.current = next.slug;
      this.save();
    }
    return next;
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
      context.out(paint.warning(`Lesson ${lesson.number} (${lesson.slug}) is still locked: the lessons before it build what it needs. Going ahead anyway.`));
    }
    return lesson;
  }

  private save(): void {
    saveState(this.state);
  }

  /** Re-checks lessons in order until one fails; every one that passes is recorded again. */
  private async rebuild(context: Context): Promise<void> {
    context.out('Rebuilding your progress by checking your lessons in order…');
    const { runLessonTests } = await import('../check/run.ts');
    for (const lesson of lessons) {
      const result = await runLessonTests(lesson, { target: { kind: 'lesson' } });
      if (!result.ok) {
        this.state.current = lesson.slug;
        break;
      }
      this.state.passed[lesson.slug] = new Date().toISOString();
      this.state.current = lessons[lesson.number]?.slug ?? lesson.slug;
      context.out(`  ${paint.success('✓')} ${lesson.number} ${lesson.slug}`);
    }
    this.save();
    context.out(`Progress rebuilt: you are on lesson ${this.current().number}, ${this.current().slug}.`);
    context.out('');
  }
}

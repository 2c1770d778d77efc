// The learner's progress: one small versioned JSON file, written by one function, atomically.
// An unreadable or foreign file is set aside (never deleted), whatever can be read from it is
// kept, and the state records that progress must be rebuilt by re-checking lessons (rebuild.ts)
// until that has finished, so that an interrupted rebuild carries on next time.

import fs from 'node:fs';
import path from 'node:path';
import { lessons } from '../lesson.ts';
import { stateDir } from '../paths.ts';

export const STATE_VERSION = 1;
export const stateFile = path.join(stateDir, 'state.json');

/** Slug → ISO time the lesson's checks first passed. */
export type Passed = Record<string, string>;

/**
 * The file's format. The lesson the learner is on is not stored: it follows from `passed` (see
 * progress.ts). Files written before that have a `current` field, which is ignored.
 */
export interface State {
  version: typeof STATE_VERSION;
  passed: Passed;
  /** Slug → how many hint rungs have been shown. */
  hints: Record<string, number>;
  /** Present while progress is being rebuilt from the learner's code (rebuild.ts). */
  rebuilding?: {
    /** Where the unreadable file was moved. It is never deleted. */
    setAside: string;
    /** Why it could not be read. */
    reason: string;
    /** Slugs of the lessons re-checked so far: a rebuild that was stopped skips them. */
    checked: string[];
  };
}

export function freshState(): State {
  return { version: STATE_VERSION, passed: {}, hints: {} };
}

/**
 * Reads the state. A missing file is a fresh start. An unusable one is moved aside, and the state
 * returned (and saved at once) keeps what could be read of it and asks for a rebuild.
 */
export function loadState(): State {
  let text: string;
  try {
    text = fs.readFileSync(stateFile, 'utf8');
  } catch {
    return freshState();
  }
  const problem = validate(text);
  if (!problem) {
    const { passed, hints, rebuilding } = JSON.parse(text) as State;
    return { version: STATE_VERSION, passed, hints, ...(rebuilding && { rebuilding }) };
  }
  const setAside = `${stateFile}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  fs.renameSync(stateFile, setAside);
  const state: State = { ...salvage(text), rebuilding: { setAside, reason: problem, checked: [] } };
  saveState(state);
  return state;
}

/**
 * Writes the state: to a temporary file first, then renamed over the old one, so that a crash or
 * Ctrl-C mid-write leaves the old file or the new one, never half of one.
 */
export function saveState(state: State): void {
  fs.mkdirSync(stateDir, { recursive: true });
  const temporary = `${stateFile}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(temporary, stateFile);
}

/** Why the text is not a usable state, or undefined when it is. */
export function validate(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof value !== 'object' || value === null) return 'it is not a JSON object';
  const state = value as Partial<State>;
  if (state.version !== STATE_VERSION) return `it has format version ${JSON.stringify(state.version)}, this workbook reads version ${STATE_VERSION}`;
  if (!isRecordOf(state.passed, 'string') || !isRecordOf(state.hints, 'number')) return 'its passed or hints entries are malformed';
  const rebuilding = state.rebuilding;
  if (
    rebuilding !== undefined &&
    !(typeof rebuilding === 'object' && rebuilding !== null && typeof rebuilding.setAside === 'string' && Array.isArray(rebuilding.checked))
  ) {
    return 'its rebuilding entry is malformed';
  }
  return undefined;
}

/** The passes and hint counts that can still be read from an unusable file: the learner keeps them. */
function salvage(text: string): State {
  const state = freshState();
  let value: Partial<Record<'passed' | 'hints', unknown>>;
  try {
    value = JSON.parse(text);
  } catch {
    return state;
  }
  const entries = (record: unknown) => (typeof record === 'object' && record !== null && !Array.isArray(record) ? Object.entries(record) : []);
  const known = (slug: string) => lessons.some((l) => l.slug === slug);
  for (const [slug, when] of entries(value?.passed)) if (known(slug) && typeof when === 'string') state.passed[slug] = when;
  for (const [slug, count] of entries(value?.hints)) if (known(slug) && Number.isInteger(count)) state.hints[slug] = count as number;
  return state;
}

function isRecordOf(value: unknown, type: 'string' | 'number'): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === type);
}

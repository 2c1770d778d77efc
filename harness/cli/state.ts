// The learner's progress: one small versioned JSON file, written by one function, atomically.
// An unreadable or foreign file is set aside (never deleted) and progress starts over, with a
// message; the caller rebuilds it by re-checking lessons (see progress.ts).

import fs from 'node:fs';
import path from 'node:path';
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
}

export interface Loaded {
  state: State;
  /** Set when the file could not be used: where it was moved and why. */
  recovered?: { reason: string; movedTo: string };
}

export function freshState(): State {
  return { version: STATE_VERSION, passed: {}, hints: {} };
}

export function loadState(): Loaded {
  let text: string;
  try {
    text = fs.readFileSync(stateFile, 'utf8');
  } catch {
    return { state: freshState() };
  }
  const problem = validate(text);
  if (!problem) {
    const { passed, hints } = JSON.parse(text) as State;
    return { state: { version: STATE_VERSION, passed, hints } };
  }
  const movedTo = `${stateFile}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  fs.renameSync(stateFile, movedTo);
  return { state: freshState(), recovered: { reason: problem, movedTo } };
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
function validate(text: string): string | undefined {
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
  return undefined;
}

function isRecordOf(value: unknown, type: 'string' | 'number'): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === type);
}

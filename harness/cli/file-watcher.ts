// Notices when the learner saves a lesson file, however their editor saves it. Many editors save
// atomically: write a temporary file, then rename it over the original. A watch on the file
// itself follows the old inode and goes deaf after the first such save (as Node's recursive watch
// did on Linux, which `learn watch` used before), so this watches the lesson *folders* and those in
// them (a folder's watch sees entries created, renamed over and written), re-attaches a folder's
// watch if the folder itself is replaced, and reports which files changed, after the burst of
// events a save makes has settled.

import fs from 'node:fs';
import path from 'node:path';

export interface FileWatcherOptions {
  /** Folders to watch (not recursively). */
  folders: string[];
  /** Called once a burst of changes has settled, with the files that changed (absolute paths). */
  onChange: (files: string[]) => void;
  /** Which names count: hidden files (.check, editor swap files) and temporary files don't. */
  accept?: (name: string) => boolean;
  /** How long a burst may last; an editor's write-rename-chmod takes a few milliseconds. */
  settleMs?: number;
}

/** How often folders are looked at, in case one was replaced (or made) without an event reaching us. */
const RECHECK_MS = 1000;

/** How deep folders inside the watched ones are watched too. */
const MAX_DEPTH = 3;

const defaultAccept = (name: string) => name.endsWith('.ts') && !name.startsWith('.');

export class FileWatcher {
  private readonly watchers = new Map<string, { watcher: fs.FSWatcher; ino: number }>();
  private readonly pending = new Set<string>();
  private readonly seen = new Map<string, string>();
  private settle: NodeJS.Timeout | undefined;
  private readonly recheck: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: FileWatcherOptions) {
    for (const folder of this.folders()) {
      this.attach(folder);
      for (const name of safeReaddir(folder)) if (this.accepts(name)) this.seen.set(path.join(folder, name), fingerprint(path.join(folder, name)));
    }
    this.recheck = setInterval(() => {
      for (const folder of this.folders()) if (inode(folder) !== this.watchers.get(folder)?.ino) this.attach(folder);
    }, RECHECK_MS);
    this.recheck.unref();
  }

  /** The folders given, and the folders in them (not hidden ones: .check, .git), as they are now. */
  private folders(): string[] {
    const found: string[] = [];
    const walk = (folder: string, depth: number) => {
      found.push(folder);
      if (depth === 0) return;
      for (const entry of safeReaddir(folder, true))
        if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') walk(path.join(folder, entry.name), depth - 1);
    };
    for (const folder of this.options.folders) walk(folder, MAX_DEPTH);
    return found;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.recheck);
    clearTimeout(this.settle);
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private accepts(name: string): boolean {
    return (this.options.accept ?? defaultAccept)(name);
  }

  private attach(folder: string): void {
    this.watchers.get(folder)?.watcher.close();
    this.watchers.delete(folder);
    if (this.closed) return;
    const ino = inode(folder);
    if (ino === undefined) return; // gone for now; the recheck attaches once it is back
    try {
      const watcher = fs.watch(folder, (_event, name) => this.onEvent(folder, name?.toString()));
      watcher.on('error', () => this.attach(folder));
      this.watchers.set(folder, { watcher, ino });
    } catch {
      // Removed between the stat and the watch: the recheck tries again.
    }
  }

  private onEvent(folder: string, name: string | undefined): void {
    // A folder replaced or removed shows as an event without a name, or with its own.
    if (!name || inode(folder) !== this.watchers.get(folder)?.ino) {
      this.attach(folder);
      if (!name) return;
    }
    if (!this.accepts(name)) return;
    this.pending.add(path.join(folder, name));
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.flush(), this.options.settleMs ?? 50);
  }

  private flush(): void {
    const changed: string[] = [];
    for (const file of this.pending) {
      // An editor's burst may end where it began (a touch, a rename back): only real changes count.
      const now = fingerprint(file);
      if (now === this.seen.get(file)) continue;
      this.seen.set(file, now);
      changed.push(file);
    }
    this.pending.clear();
    if (changed.length > 0 && !this.closed) this.options.onChange(changed);
  }
}

/** Size, modification time and inode: changes on every save, atomic or in place. */
function fingerprint(file: string): string {
  try {
    const stat = fs.statSync(file);
    return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return 'missing';
  }
}

function inode(folder: string): number | undefined {
  try {
    return fs.statSync(folder).ino;
  } catch {
    return undefined;
  }
}

function safeReaddir(folder: string): string[];
function safeReaddir(folder: string, withTypes: true): fs.Dirent[];
function safeReaddir(folder: string, withTypes = false): string[] | fs.Dirent[] {
  try {
    return withTypes ? fs.readdirSync(folder, { withFileTypes: true }) : fs.readdirSync(folder);
  } catch {
    return [];
  }
}

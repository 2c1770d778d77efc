// Entry of the resident check process (server.ts), started by client.mjs. The staleness key is
// taken first, before the code it describes is loaded (a change during the load makes it stale).
// Then, as bin/learn.mjs does, Vitest is loaded before tsx's hooks are in place (it loads three
// times slower through them).

import { fileURLToPath } from 'node:url';
import { stalenessKey } from './protocol.mjs';

const key = stalenessKey(fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, ''));
await import('vitest/node');
const { register } = await import('tsx/esm/api');
register();
const { serve } = await import('./server.ts');
// `--programs N`: how many programs the check that started it ran (client.mjs), kept ready.
const programs = Number(process.argv[process.argv.indexOf('--programs') + 1]);
await serve(key, { expectedPrograms: process.argv.includes('--programs') && programs > 0 ? programs : undefined });

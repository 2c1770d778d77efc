// The --port every scenario program is started with.
import { parseArgs } from 'node:util';

export const port = Number(parseArgs({ options: { port: { type: 'string' } }, strict: false }).values.port);

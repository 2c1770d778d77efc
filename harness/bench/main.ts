// `npm run bench`: how fast the workbook feels and how fast its servers are, measured, printed
// as a table. Each suite is one file here; run one with `npm run bench -- <suite>`.
// Nothing here asserts a time: numbers are for people (and closing notes) to read.

import { checkTime } from './check-time.ts';
import { compressionBench } from './compression.ts';
import { h2Throughput } from './h2-throughput.ts';
import { httpThroughput } from './http-throughput.ts';
import { matrixTime } from './matrix-time.ts';
import { sniThroughput } from './sni-throughput.ts';
import { watchRerun } from './watch-rerun.ts';

export interface Suite {
  name: string;
  summary: string;
  run: (args: string[]) => Promise<void>;
}

const suites: Suite[] = [checkTime, watchRerun, matrixTime, httpThroughput, compressionBench, sniThroughput, h2Throughput];

const [wanted, ...rest] = process.argv.slice(2);
const chosen = wanted ? suites.filter((s) => s.name === wanted) : suites;
if (chosen.length === 0) {
  console.error(`No bench suite "${wanted}". Suites: ${suites.map((s) => s.name).join(', ')}.`);
  process.exit(2);
}
for (const suite of chosen) {
  console.log(`\n## ${suite.name}: ${suite.summary}\n`);
  await suite.run(rest);
}

// Requests per second of the keep-alive reference (lesson keep-alive, solutions/) against a
// node:http server answering the same route with the same bytes, measured side by side in one run
// with the same load tool (wrk), keep-alive and pipelined. Loopback only, a few seconds each.
// `npm run bench -- http-throughput [seconds per run] [connections]`.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLesson, solutionFolder } from '../lesson.ts';
import { freePort } from '../process/free-port.ts';
import type { Suite } from './main.ts';
import { waitForListening } from './servers.ts';
import { spread } from './stats.ts';

/** Requests per batch in the pipelined runs (what wrk's own pipeline example uses). */
const PIPELINE_DEPTH = 16;

/** Runs per server and mode; the table shows median, min and max. */
const ROUNDS = 3;

/** The route both servers answer: the same status, fields (but the Date value) and body. */
const ROUTE = '/';

const NODE_HTTP_SERVER = `
import http from 'node:http';
const body = Buffer.from('Hello, world!\\n');
http.createServer((req, res) => {
  if ((req.method === 'GET' || req.method === 'HEAD') && req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  } else {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }
}).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));
`;

const PIPELINE_SCRIPT = `
init = function(args)
  local batch = {}
  for i = 1, ${PIPELINE_DEPTH} do batch[i] = wrk.format(nil, "${ROUTE}") end
  req = table.concat(batch)
end
request = function() return req end
`;

interface Result {
  requestsPerSecond: number;
  errors: string;
}

export const httpThroughput: Suite = {
  name: 'http-throughput',
  summary: 'requests/s of the keep-alive reference vs node:http on the same route, with wrk (keep-alive and pipelined)',
  async run(args) {
    const seconds = Number(args[0] ?? 2);
    const connections = Number(args[1] ?? 50);
    if (spawnSync('wrk', ['--version']).error) {
      console.log('wrk is not installed (apt-get install wrk): skipped.');
      return;
    }
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'http-bench-'));
    const nodeServer = path.join(scratch, 'node-http.mjs');
    const pipeline = path.join(scratch, 'pipeline.lua');
    fs.writeFileSync(nodeServer, NODE_HTTP_SERVER);
    fs.writeFileSync(pipeline, PIPELINE_SCRIPT);
    const reference = path.join(solutionFolder(findLesson('keep-alive')), 'server.ts');
    const tsx = fileURLToPath(import.meta.resolve('tsx'));

    const servers = [
      {
        name: 'from scratch (keep-alive reference)',
        start: (port: number) => spawn(process.execPath, ['--import', tsx, reference, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] }),
      },
      { name: 'node:http', start: (port: number) => spawn(process.execPath, [nodeServer, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] }) },
    ];
    const modes = [
      { name: 'keep-alive', args: [] as string[] },
      { name: `pipelined ×${PIPELINE_DEPTH}`, args: ['-s', pipeline] },
    ];

    console.log(
      `wrk, 1 thread, ${connections} connections, ${ROUNDS} rounds of ${seconds} s per server and mode, interleaved, loopback, GET ${ROUTE}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}\n`,
    );
    const results = new Map<string, Result[]>();
    const children: ChildProcess[] = [];
    try {
      const ports: number[] = [];
      for (const server of servers) {
        const port = await freePort();
        const child = server.start(port);
        children.push(child);
        await waitForListening(child);
        // A short warm-up, so that both are measured with their code optimised.
        wrk(port, ['-d', '1s', '-c', String(connections)]);
        ports.push(port);
      }
      // Rounds alternate between the servers, so that a noisy neighbour on a shared machine
      // weighs on both alike; the table shows median, min and max of each.
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of modes) {
          servers.forEach((server, i) => {
            const key = `${server.name}|${mode.name}`;
            results.set(key, [...(results.get(key) ?? []), wrk(ports[i]!, ['-d', `${seconds}s`, '-c', String(connections), ...mode.args])]);
          });
        }
      }
    } finally {
      for (const child of children) child.kill('SIGKILL');
      fs.rmSync(scratch, { recursive: true, force: true });
    }

    console.log('Figures: median (min–max) of the rounds.\n');
    console.log('| mode | from scratch | node:http | ratio (scratch / node:http) | errors |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const mode of modes) {
      const ours = results.get(`${servers[0]!.name}|${mode.name}`)!;
      const theirs = results.get(`${servers[1]!.name}|${mode.name}`)!;
      const ratios = ours.map((r, i) => r.requestsPerSecond / theirs[i]!.requestsPerSecond);
      const errors = [...ours, ...theirs].map((r) => r.errors).filter((e) => e !== 'none');
      console.log(
        `| ${mode.name} | ${rpsSpread(ours)} | ${rpsSpread(theirs)} | ${ratioSpread(ratios)} | ${errors.length === 0 ? 'none' : errors.join('; ')} |`,
      );
    }
  },
};

function rpsSpread(results: Result[]): string {
  const s = spread(results.map((r) => r.requestsPerSecond));
  const k = (n: number) => `${Math.round(n / 1000)}k`;
  return `${Math.round(s.median).toLocaleString('en')} req/s (${k(s.min)}–${k(s.max)})`;
}

/** Ratios of the same round (both servers measured back to back). */
function ratioSpread(ratios: number[]): string {
  const s = spread(ratios);
  return `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/** Runs wrk against the port and reads Requests/sec and the error counts from its report. */
function wrk(port: number, args: string[]): Result {
  const run = spawnSync('wrk', ['-t', '1', '--timeout', '5s', ...args, `http://127.0.0.1:${port}${ROUTE}`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(run.stdout);
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${run.stdout}`);
  const socket = /Socket errors: (.*)/.exec(run.stdout)?.[1];
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(run.stdout)?.[1];
  const errors = [socket && `socket errors ${socket}`, non2xx && `${non2xx} non-2xx`].filter(Boolean).join(', ') || 'none';
  return { requestsPerSecond: Number(rps[1]), errors };
}

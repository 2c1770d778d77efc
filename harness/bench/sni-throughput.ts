// The sni-router reference in front of a node:https backend, against the same backend reached
// directly, measured side by side with wrk over TLS: requests/s of a small keep-alive response and
// transfer/s of a 1 MiB one, and the router's memory (now and at its peak). The certificate is made
// for the run by `openssl req -x509`; wrk sends SNI "localhost", which the router routes.
// Loopback only, a few seconds each. `npm run bench -- sni-throughput [seconds per run] [connections]`.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLesson, solutionFolder } from '../lesson.ts';
import { freePort } from '../process/free-port.ts';
import type { Suite } from './main.ts';
import { memory, waitForListening } from './servers.ts';
import { spread } from './stats.ts';

const ROUNDS = 3;

const BACKEND = `
import https from 'node:https';
import fs from 'node:fs';
const [port, key, cert] = process.argv.slice(2);
const small = Buffer.from('Hello, world!\\n');
const big = Buffer.alloc(1024 * 1024, 0x61);
https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
  const body = req.url === '/1m' ? big : small;
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
  res.end(body);
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

interface Result {
  requestsPerSecond: number;
  bytesPerSecond: number;
  errors: string;
}

export const sniThroughput: Suite = {
  name: 'sni-throughput',
  summary: 'the sni-router reference in front of a node:https backend vs the backend direct, with wrk over TLS; the router memory',
  async run(args) {
    const seconds = Number(args[0] ?? 3);
    const connections = Number(args[1] ?? 20);
    if (spawnSync('wrk', ['--version']).error || spawnSync('openssl', ['version']).error) {
      console.log('wrk or openssl is not installed (apt-get install wrk openssl): skipped.');
      return;
    }
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sni-bench-'));
    const key = path.join(scratch, 'key.pem');
    const cert = path.join(scratch, 'cert.pem');
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-keyout', key, '-out', cert, '-subj', '/CN=localhost'],
      {
        encoding: 'utf8',
      },
    );
    if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
    const backendScript = path.join(scratch, 'backend.mjs');
    fs.writeFileSync(backendScript, BACKEND);
    const tsx = fileURLToPath(import.meta.resolve('tsx'));
    const reference = path.join(solutionFolder(findLesson('sni-router')), 'server.ts');

    const children: ChildProcess[] = [];
    const results = new Map<string, Result[]>();
    let routerMemory = { now: undefined as number | undefined, peak: undefined as number | undefined };
    console.log(
      `wrk over TLS, 1 thread, ${connections} connections, ${ROUNDS} rounds of ${seconds} s per path and target, interleaved, loopback; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}\n`,
    );
    try {
      const backendPort = await freePort();
      const backend = spawn(process.execPath, [backendScript, String(backendPort), key, cert], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(backend);
      await waitForListening(backend);
      const routerPort = await freePort();
      const router = spawn(process.execPath, ['--import', tsx, reference, '--port', String(routerPort), '--route', `localhost=127.0.0.1:${backendPort}`], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(router);
      await waitForListening(router);
      const targets = [
        { name: 'direct', port: backendPort },
        { name: 'through the router', port: routerPort },
      ];
      for (const target of targets) wrk(target.port, '/', ['-d', '1s', '-c', String(connections)]); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        for (const route of ['/', '/1m']) {
          for (const target of targets) {
            const key = `${route}|${target.name}`;
            results.set(key, [...(results.get(key) ?? []), wrk(target.port, route, ['-d', `${seconds}s`, '-c', String(connections)])]);
          }
        }
      }
      routerMemory = { now: memory(router.pid, 'VmRSS'), peak: memory(router.pid, 'VmHWM') };
    } finally {
      for (const child of children) child.kill('SIGKILL');
      fs.rmSync(scratch, { recursive: true, force: true });
    }

    console.log('Figures: median (min–max) of the rounds.\n');
    console.log('| path | direct | through the router | ratio (router / direct) | errors |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const route of ['/', '/1m']) {
      const direct = results.get(`${route}|direct`)!;
      const routed = results.get(`${route}|through the router`)!;
      const figure = (r: Result) => (route === '/' ? r.requestsPerSecond : r.bytesPerSecond);
      const ratios = routed.map((r, i) => figure(r) / figure(direct[i]!));
      const show = (rs: Result[]) => {
        const s = spread(rs.map(figure));
        return route === '/'
          ? `${Math.round(s.median).toLocaleString('en')} req/s (${Math.round(s.min / 1000)}k–${Math.round(s.max / 1000)}k)`
          : `${(s.median / 2 ** 20).toFixed(0)} MiB/s (${(s.min / 2 ** 20).toFixed(0)}–${(s.max / 2 ** 20).toFixed(0)})`;
      };
      const r = spread(ratios);
      const errors = [...direct, ...routed].map((x) => x.errors).filter((e) => e !== 'none');
      console.log(
        `| GET ${route === '/' ? '/ (14 bytes)' : '/1m (1 MiB)'} | ${show(direct)} | ${show(routed)} | ${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)}) | ${errors.length === 0 ? 'none' : errors.join('; ')} |`,
      );
    }
    const mib = (n: number | undefined) => (n === undefined ? 'unknown' : `${(n / 2 ** 20).toFixed(0)} MiB`);
    console.log(`\nRouter memory after the runs: ${mib(routerMemory.now)} resident, ${mib(routerMemory.peak)} at its peak (VmRSS, VmHWM).`);
  },
};

/** Runs wrk over https://localhost (SNI "localhost") and reads Requests/sec, Transfer/sec and errors. */
function wrk(port: number, route: string, args: string[]): Result {
  const run = spawnSync('wrk', ['-t', '1', '--timeout', '5s', ...args, `https://localhost:${port}${route}`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(run.stdout);
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(run.stdout);
  if (!rps || !transfer) throw new Error(`wrk printed no Requests/sec or Transfer/sec:\n${run.stdout}`);
  const unit = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 }[transfer[2] as 'B' | 'KB' | 'MB' | 'GB'];
  const socket = /Socket errors: (.*)/.exec(run.stdout)?.[1];
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(run.stdout)?.[1];
  const errors = [socket && `socket errors ${socket}`, non2xx && `${non2xx} non-2xx`].filter(Boolean).join(', ') || 'none';
  return { requestsPerSecond: Number(rps[1]), bytesPerSecond: Number(transfer[1]) * unit, errors };
}

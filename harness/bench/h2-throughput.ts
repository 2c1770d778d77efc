// The http2-server reference (lesson 25) against node:http2 serving the same files, measured side
// by side with h2load (Debian nghttp2-client): requests/s with many concurrent streams, over TLS
// (ALPN h2) and over h2c, and each server's memory (now and at its peak). Both servers get the
// same certificate (made for the run by `openssl req -x509`) and the same folder: compression's
// sample site, a small text file and a 62 KiB picture. h2load sends no Accept-Encoding, so
// neither compresses. Loopback only, a few seconds each.
// `npm run bench -- h2-throughput [seconds per run] [clients] [streams per client]`.

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
const SITE = fileURLToPath(new URL('../../solutions/16-compression/site/', import.meta.url));

/**
 * node:http2 doing the capstone's job for these paths: a file from the folder by its path, with
 * Content-Type, Content-Length and Last-Modified, streamed from the file as the capstone does, over
 * TLS (h2 by ALPN) and over h2c. (Not respondWithFile: on Node 20 it crashed the process with a
 * segfault when h2load cut its connections at the end of a run.)
 */
const NODE_SERVER = `
import http2 from 'node:http2';
import fs from 'node:fs';
import path from 'node:path';
const [port, h2cPort, key, cert, root] = process.argv.slice(2);
const types = { '.txt': 'text/plain; charset=utf-8', '.png': 'image/png', '.html': 'text/html; charset=utf-8' };
const serve = (stream, headers) => {
  stream.on('error', () => {}); // h2load ends its connections abruptly at the end of a run
  const file = path.join(root, path.normalize(headers[':path'].split('?')[0]));
  fs.stat(file, (error, stat) => {
    if (stream.destroyed) return;
    if (error || !stat.isFile() || !file.startsWith(root)) return stream.respond({ ':status': 404 }, { endStream: true });
    stream.respond({
      ':status': 200,
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'last-modified': stat.mtime.toUTCString(),
    });
    fs.createReadStream(file).on('error', () => stream.close()).pipe(stream);
  });
};
let listening = 0;
const ready = () => ++listening === 2 && console.log('listening');
http2.createSecureServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }).on('stream', serve).listen(Number(port), '127.0.0.1', ready);
http2.createServer().on('stream', serve).listen(Number(h2cPort), '127.0.0.1', ready);
`;

interface Result {
  requestsPerSecond: number;
  failed: number;
}

interface Target {
  name: string;
  child: ChildProcess;
  tlsPort: number;
  h2cPort: number;
}

export const h2Throughput: Suite = {
  name: 'h2-throughput',
  summary: 'the http2-server reference vs node:http2 serving the same files, with h2load (many streams), over TLS and h2c; memory',
  async run(args) {
    const seconds = Number(args[0] ?? 3);
    const clients = Number(args[1] ?? 4);
    const streams = Number(args[2] ?? 32);
    if (spawnSync('h2load', ['--version']).error || spawnSync('openssl', ['version']).error) {
      console.log('h2load or openssl is not installed (apt-get install nghttp2-client openssl): skipped.');
      return;
    }
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-bench-'));
    const key = path.join(scratch, 'key.pem');
    const cert = path.join(scratch, 'cert.pem');
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-keyout', key, '-out', cert, '-subj', '/CN=localhost'],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
    const nodeScript = path.join(scratch, 'node-http2.mjs');
    fs.writeFileSync(nodeScript, NODE_SERVER);
    const tsx = fileURLToPath(import.meta.resolve('tsx'));
    const reference = path.join(solutionFolder(findLesson('http2-server')), 'server.ts');

    const targets: Target[] = [];
    const results = new Map<string, Result[]>();
    const memories = new Map<string, { now?: number; peak?: number }>();
    const paths = ['/hello.txt', '/images/noise.png'];
    console.log(
      `h2load, ${clients} clients × ${streams} concurrent streams, ${ROUNDS} rounds of ${seconds} s per path, transport and server, interleaved, loopback; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, Node ${process.version}\n`,
    );
    try {
      const start = async (name: string, command: string[], ports: (tls: number, h2c: number) => string[]) => {
        const [tlsPort, h2cPort] = [await freePort(), await freePort()];
        const child = spawn(process.execPath, [...command, ...ports(tlsPort, h2cPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
        targets.push({ name, child, tlsPort, h2cPort });
        await waitForListening(child);
        child.stdout!.resume(); // the capstone logs a line per failed handshake; never let it block
      };
      await start('node:http2', [nodeScript], (tls, h2c) => [String(tls), String(h2c), key, cert, SITE]);
      await start('http2-server', ['--import', tsx, reference], (tls, h2c) => [
        '--port',
        String(tls),
        '--h2c-port',
        String(h2c),
        '--cert',
        cert,
        '--key',
        key,
        '--root',
        SITE,
      ]);
      // Both servers print their first line once one port listens; give the second a moment.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const target of targets) h2load(`https://localhost:${target.tlsPort}/hello.txt`, ['-D', '1', '-c', String(clients), '-m', String(streams)]); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        for (const route of paths) {
          for (const transport of ['TLS', 'h2c'] as const) {
            for (const target of targets) {
              const url = transport === 'TLS' ? `https://localhost:${target.tlsPort}${route}` : `http://127.0.0.1:${target.h2cPort}${route}`;
              const key = `${route}|${transport}|${target.name}`;
              results.set(key, [...(results.get(key) ?? []), h2load(url, ['-D', String(seconds), '-c', String(clients), '-m', String(streams)])]);
            }
          }
        }
      }
      for (const target of targets) memories.set(target.name, { now: memory(target.child.pid, 'VmRSS'), peak: memory(target.child.pid, 'VmHWM') });
    } finally {
      for (const target of targets) target.child.kill('SIGKILL');
      fs.rmSync(scratch, { recursive: true, force: true });
    }

    console.log('Figures: median (min–max) of the rounds, requests/s.\n');
    console.log('| path | transport | node:http2 | http2-server | ratio (http2-server / node:http2) | failed requests |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const route of paths) {
      for (const transport of ['TLS', 'h2c']) {
        const node = results.get(`${route}|${transport}|node:http2`)!;
        const ours = results.get(`${route}|${transport}|http2-server`)!;
        const ratios = ours.map((r, i) => r.requestsPerSecond / node[i]!.requestsPerSecond);
        const show = (rs: Result[]) => {
          const s = spread(rs.map((r) => r.requestsPerSecond));
          return `${Math.round(s.median).toLocaleString('en')} (${Math.round(s.min).toLocaleString('en')}–${Math.round(s.max).toLocaleString('en')})`;
        };
        const r = spread(ratios);
        const failed = [...node, ...ours].reduce((sum, x) => sum + x.failed, 0);
        console.log(
          `| GET ${route} | ${transport} | ${show(node)} | ${show(ours)} | ${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)}) | ${failed} |`,
        );
      }
    }
    const mib = (n: number | undefined) => (n === undefined ? 'unknown' : `${(n / 2 ** 20).toFixed(0)} MiB`);
    console.log('\nMemory after the runs (VmRSS now, VmHWM at the peak):');
    for (const [name, m] of memories) console.log(`- ${name}: ${mib(m.now)} resident, ${mib(m.peak)} at its peak`);
  },
};

/** Runs h2load and reads its req/s and the count of failed requests. */
function h2load(url: string, args: string[]): Result {
  const run = spawnSync('h2load', [...args, url], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`h2load failed: ${run.stderr || run.stdout}`);
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(run.stdout);
  const requests = /requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(run.stdout);
  if (!rps || !requests) throw new Error(`h2load printed no req/s or request counts:\n${run.stdout}`);
  return { requestsPerSecond: Number(rps[1]), failed: Number(requests[1]) + Number(requests[2]) + Number(requests[3]) };
}

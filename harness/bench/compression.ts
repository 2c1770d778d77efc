// The compression reference (lesson compression, solutions/) serving a 10 MiB text file gzip'd,
// against node:http doing the same with fs.createReadStream + zlib.createGzip() + pipeline: the
// same file, the same client (node:http, Accept-Encoding: gzip, the compressed body read and
// counted), rounds interleaved. Also the memory of both: resident set when idle, and the peak
// (VmHWM, Linux) after all rounds. Then one download of 1 GiB (a sparse file of zeros) from each,
// with the peak memory after it: too long for npm test on this machine, so it is measured here.
// Loopback only. `npm run bench -- compression [rounds]`.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLesson, solutionFolder } from '../lesson.ts';
import { freePort } from '../process/free-port.ts';
import type { Suite } from './main.ts';
import { memory, waitForListening } from './servers.ts';
import { millis, spread } from './stats.ts';

const MiB = 1024 * 1024;

const NODE_HTTP_SERVER = `
import fs from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';
import path from 'node:path';
const [port, dir] = process.argv.slice(2);
http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
  pipeline(fs.createReadStream(path.join(dir, path.basename(req.url))), zlib.createGzip(), res, () => {});
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;

/** Text that compresses as real text does (about 4:1 with gzip): numbered lines of words and numbers. */
function sampleText(bytes: number): Buffer {
  const words = ['request', 'response', 'socket', 'chunk', 'header', 'gzip', 'stream', 'buffer', 'drain', 'pipeline', 'Grüße', 'Köln'];
  const lines: string[] = [];
  let size = 0;
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; size < bytes; i++) {
    const line = `${i} ${Array.from({ length: 8 }, () => words[next() % words.length]).join(' ')} ${next() % 100000}\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

export const compressionBench: Suite = {
  name: 'compression',
  summary: "a 10 MiB text file gzip'd: the compression reference vs node:http + zlib.createGzip() + pipeline, same client, interleaved; time and memory",
  async run(args) {
    const rounds = Number(args[0] ?? 7);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'compression-bench-'));
    const file = path.join(scratch, 'big.txt');
    const text = sampleText(10 * MiB);
    fs.writeFileSync(file, text);
    // Sparse: 1 GiB of zeros that takes no disk space.
    fs.writeFileSync(path.join(scratch, 'huge.txt'), '');
    fs.truncateSync(path.join(scratch, 'huge.txt'), 1024 * MiB);
    const nodeServer = path.join(scratch, 'node-http.mjs');
    fs.writeFileSync(nodeServer, NODE_HTTP_SERVER);
    const reference = path.join(solutionFolder(findLesson('compression')), 'server.ts');
    const tsx = fileURLToPath(import.meta.resolve('tsx'));
    const servers = [
      {
        name: 'from scratch (compression reference)',
        start: (port: number) =>
          spawn(process.execPath, ['--import', tsx, reference, '--port', String(port), '--root', scratch], { stdio: ['ignore', 'pipe', 'inherit'] }),
      },
      {
        name: 'node:http + createGzip + pipeline',
        start: (port: number) => spawn(process.execPath, [nodeServer, String(port), scratch], { stdio: ['ignore', 'pipe', 'inherit'] }),
      },
    ];
    console.log(
      `${rounds} rounds per server, interleaved, loopback, GET /big.txt (10 MiB of text) with Accept-Encoding: gzip; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}\n`,
    );
    const children: ChildProcess[] = [];
    const times = servers.map(() => [] as number[]);
    const sizes = servers.map(() => 0);
    const idle = servers.map(() => undefined as number | undefined);
    const peak = servers.map(() => undefined as number | undefined);
    const huge = servers.map(() => undefined as { ms: number; peak: number | undefined } | undefined);
    try {
      const ports: number[] = [];
      for (const [i, server] of servers.entries()) {
        const port = await freePort();
        const child = server.start(port);
        children.push(child);
        await waitForListening(child);
        idle[i] = memory(child.pid, 'VmRSS');
        await download(port); // warm-up: both measured with their code optimised
        ports.push(port);
      }
      for (let round = 0; round < rounds; round++) {
        for (const [i] of servers.entries()) {
          const { ms, bytes } = await download(ports[i]!);
          times[i]!.push(ms);
          sizes[i] = bytes;
        }
      }
      children.forEach((child, i) => (peak[i] = memory(child.pid, 'VmHWM')));
      for (const [i] of servers.entries()) {
        const { ms } = await download(ports[i]!, '/huge.txt');
        huge[i] = { ms, peak: memory(children[i]!.pid, 'VmHWM') };
      }
    } finally {
      for (const child of children) child.kill('SIGKILL');
      fs.rmSync(scratch, { recursive: true, force: true });
    }
    const mib = (n: number | undefined) => (n === undefined ? 'n/a' : `${(n / MiB).toFixed(1)} MiB`);
    console.log('Figures: time per download, median (min–max) of the rounds; memory from /proc (Linux).\n');
    console.log('| server | time | MiB/s of text | gzip body | RSS idle | peak RSS |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    servers.forEach((server, i) => {
      const s = spread(times[i]!);
      console.log(`| ${server.name} | ${millis(s)} | ${(10 / (s.median / 1000)).toFixed(0)} | ${mib(sizes[i])} | ${mib(idle[i])} | ${mib(peak[i])} |`);
    });
    console.log("\n| server | 1 GiB of zeros, gzip'd: time | peak RSS after it |");
    console.log('| --- | --- | --- |');
    servers.forEach((server, i) => console.log(`| ${server.name} | ${((huge[i]?.ms ?? NaN) / 1000).toFixed(1)} s | ${mib(huge[i]?.peak)} |`));
    const ratios = times[0]!.map((t, r) => t / times[1]![r]!);
    const r = spread(ratios);
    console.log(
      `\nTime ratio (scratch / node:http, same round): ${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)}); peak RSS ratio: ${peak[0] && peak[1] ? (peak[0] / peak[1]).toFixed(2) : 'n/a'}.`,
    );
  },
};

/** One GET with Accept-Encoding: gzip, the body read to its end; its time and compressed size. */
function download(port: number, target = '/big.txt'): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get({ host: '127.0.0.1', port, path: target, headers: { 'Accept-Encoding': 'gzip' }, agent: false }, (response) => {
      if (response.statusCode !== 200 || response.headers['content-encoding'] !== 'gzip')
        reject(new Error(`expected a gzip'd 200, received ${response.statusCode} ${response.headers['content-encoding']}`));
      let bytes = 0;
      response.on('data', (piece: Buffer) => (bytes += piece.length));
      response.on('end', () => resolve({ ms: performance.now() - started, bytes }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(120_000, () => request.destroy(new Error('no answer within 120 s')));
  });
}

// The "Try" lines of a lesson (`learn next`, `learn run`), with the port filled in. Most use nc,
// which many machines lack (Windows always, slim Linux installs often): then they are followed
// by what to install on this platform, and a Node one-liner that does nc's job.

import fs from 'node:fs';
import path from 'node:path';
import type { Lesson } from '../lesson.ts';

export interface Machine {
  platform: NodeJS.Platform;
  hasNc: boolean;
}

/** The lesson's try-it commands for `port`; `skipRun` leaves out the `npx learn run` line (for learn run itself). */
export function tryItLines(lesson: Lesson, port: number, { skipRun = false } = {}): string[] {
  return lesson.tryIt.slice(skipRun ? 1 : 0).map((line) => line.replaceAll('{port}', String(port)));
}

/** When those commands use nc and this machine has none: what to do instead, and the Node command. Else undefined. */
export function ncAdvice(lesson: Lesson, port: number, machine: Machine = thisMachine()): { advice: string; command: string } | undefined {
  const ncLines = tryItLines(lesson, port).filter((line) => NC.test(line));
  if (ncLines.length === 0 || machine.hasNc) return undefined;
  return withoutNc(port, ncLines.some((line) => NC_UDP.test(line)) ? 'udp' : 'tcp', machine.platform);
}

/** What to do instead of nc: install it, or use Node in its place (one line each). */
export function withoutNc(port: number, transport: 'tcp' | 'udp', platform: NodeJS.Platform): { advice: string; command: string } {
  const install =
    platform === 'win32'
      ? 'Windows has no nc'
      : platform === 'darwin'
        ? 'No nc found (macOS has /usr/bin/nc: is /usr/bin on your PATH?)'
        : 'No nc here: sudo apt install netcat-openbsd (Debian/Ubuntu)';
  const replaced = transport === 'udp' ? `nc -u … 127.0.0.1 ${port}` : `nc … 127.0.0.1 ${port}`;
  const client = transport === 'udp' ? udpClient(port) : tcpClient(port);
  return { advice: `${install}; or in place of \`${replaced}\` use:`, command: `node -e "${client}"` };
}

/** Like `nc -N`: stdin to the server, half-closed at its end; the server's bytes to stdout. */
function tcpClient(port: number): string {
  return `const s=require('net').connect(${port},'127.0.0.1');s.on('error',e=>{console.error(e.message);process.exit(1)});process.stdin.pipe(s).pipe(process.stdout)`;
}

/** Like `nc -u -w1`: each chunk of stdin (a line, typed) one datagram; replies to stdout; quits 1 s after stdin ends. */
function udpClient(port: number): string {
  return (
    `const s=require('dgram').createSocket('udp4');s.on('message',m=>process.stdout.write(m));` +
    `process.stdin.on('data',d=>s.send(d,${port},'127.0.0.1')).on('end',()=>setTimeout(()=>s.close(),1000))`
  );
}

/** nc where a command starts: at the beginning of the line or after a pipe. */
const NC = /(^|\|\s*)nc\s/;
const NC_UDP = /(^|\|\s*)nc\s+(-\w+\s+)*-\w*u/;

function thisMachine(): Machine {
  return { platform: process.platform, hasNc: onPath('nc') };
}

/** Whether an executable of that name is in a folder on PATH. */
export function onPath(command: string): boolean {
  const extensions = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const folder of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      try {
        const file = path.join(folder, command + extension);
        if (!fs.statSync(file).isFile()) continue;
        fs.accessSync(file, fs.constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

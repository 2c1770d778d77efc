// What each command of the lessons' "Try it by hand" sections and tryIt lines must show, checked by
// try-it-commands.test.ts against the lesson's reference. One entry per distinct command, written
// as the text writes it (README ports, 3000; `{port}` of a tryIt line is 3000 too).

import { expect } from 'vitest';
import type { ShellRun } from './support/shell-run.ts';

export interface Scenario {
  /** The port the test uses for a port the text writes (3000 → a free one). */
  port(written: number): number;
  /** Starts a shell command in the workbook copy (stopped at the end of the lesson). */
  shell(text: string): ShellRun;
  /** The command as this machine runs it: ports and /tmp/ replaced. */
  localize(text: string): Promise<string>;
  /** The `learn run` that listens on the port the text writes (3000), to read what it printed. */
  server(written: number): ShellRun;
}

export interface Expectation {
  /** The command, exactly as the text writes it (comments and notes left off). */
  command: string;
  /** Each must match what it printed, stdout and stderr together (for a `learn run` line: the server's output, checked when it stops). */
  out?: RegExp[];
  /** None may match. */
  not?: RegExp[];
  /** Its exit code (default 0); 'any' where the text promises none. */
  exit?: number | 'any';
  /** What a person types into it (terminal blocks), followed by Ctrl-D (its input ends). */
  stdin?: string;
  /** It runs until Ctrl-C: sent once its output matches this… */
  until?: RegExp;
  /** …or after this long. */
  stopAfterMs?: number;
  /** With `until`: Ctrl-C goes to the lesson's server (port 3000) instead, and the command must then end by itself. */
  stopServer?: boolean;
  /** How long it runs, in ms: [at least, at most]. */
  tookMs?: [number, number];
  /** Streaming: its first and last line of output are at least this far apart. */
  spreadMs?: number;
  /** Anything else, after the rest. */
  check?: (run: ShellRun, scenario: Scenario) => void | Promise<void>;
  /** Runs the command another way (what needs a terminal's job control); replaces the run above. */
  scenario?: (scenario: Scenario, localized: string) => Promise<void>;
  /** Bound on the whole command (default 30 s). */
  timeoutMs?: number;
}

/** A status line as `curl -v` shows it (`< HTTP/1.1 404 …`), or as nc, `curl -i` and `-I` do. */
const shown = (code: number) => new RegExp(`^< HTTP/1\\.1 ${code} `, 'm');
const raw = (code: number) => new RegExp(`^HTTP/1\\.1 ${code} `, 'm');
/** A response field as `curl -v` shows it. */
const field = (name: string, value: string | RegExp) => new RegExp(`^< ${name}: ${typeof value === 'string' ? value : value.source}\\r?$`, 'mi');
const run = (command: string, out: RegExp[] = []): Expectation => ({ command, out: [/listens on 127\.0\.0\.1:\d+/, ...out] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const echoHello: Expectation = { command: "printf 'hello\\n' | nc -N 127.0.0.1 3000", out: [/^hello\n$/] };
const typedEcho: Expectation = { command: 'nc -N 127.0.0.1 3000', stdin: 'one line\nanother\n', out: [/^one line\nanother\n$/] };
/** A field as the servers' JSON shows it (`{ "name": …, "value": … }`). */
const json = (name: string, value: string) => new RegExp(`"name": "${name}",\\s*"value": "${value}"`);
const dupFields = new RegExp(`${json('X-Dup', 'a').source}[\\s\\S]*${json('x-dup', 'b').source}`);

/**
 * A TLS backend that runs until the lesson ends (`openssl s_server`, as in a second terminal). The
 * same command again (a tryIt line after the README's) finds it already listening.
 */
const backends = new WeakMap<Scenario, Set<string>>();
const tlsBackend = (command: string): Expectation => ({
  command,
  scenario: async (scenario, localized) => {
    const started = backends.get(scenario) ?? new Set<string>();
    backends.set(scenario, started);
    if (started.has(localized)) return;
    started.add(localized);
    const server = scenario.shell(localized);
    server.type('', { end: false });
    expect(await server.until(/^ACCEPT$/m, 20_000), `openssl s_server never said ACCEPT: ${server.out}`).toBe(true);
  },
});

export const EXPECTATIONS: Record<string, Expectation[]> = {
  'tcp-echo': [
    run('npx learn run tcp-echo --port 3000'),
    echoHello,
    { command: 'head -c 100000 /dev/urandom | nc -N 127.0.0.1 3000 | wc -c', out: [/^\s*100000\s*$/] },
    typedEcho,
  ],
  'socket-promises': [
    run('npx learn run socket-promises --port 3000'),
    { command: "printf 'one\\ntwo\\n' | nc -N 127.0.0.1 3000", out: [/^one\ntwo\n$/] },
    typedEcho,
    {
      command:
        "node -e \"const s=require('net').connect(3000,'127.0.0.1');s.pause();const b=Buffer.alloc(65536);let n=0;(function w(){while(s.write(b))n++;console.log('stalled after',n*64,'KiB');s.once('drain',w)})()\"",
      // "soon stalls": it prints while the buffers fill, then nothing more, until Ctrl-C.
      scenario: async (scenario, command) => {
        const flood = scenario.shell(command);
        flood.type('');
        expect(await flood.until(/stalled after \d+ KiB/, 20_000), `it never printed "stalled after": ${flood.out}`).toBe(true);
        let before = flood.out;
        for (let i = 0; i < 20 && !flood.done; i++) {
          await sleep(1000);
          if (flood.out === before) break;
          before = flood.out;
        }
        expect(flood.done, `it ended by itself: ${flood.out}`).toBe(false);
        expect(flood.out, 'it should stall: no more "stalled after" lines within a second, however long it runs').toBe(before);
        flood.interrupt();
      },
    },
  ],
  'line-protocol': [
    run('npx learn run line-protocol --port 3000'),
    { command: "printf 'hello\\nworld\\nquit\\nignored\\n' | nc -N 127.0.0.1 3000", out: [/^Echo: hello\nEcho: world\nBye\.\n$/] },
    { command: "printf 'crlf\\r\\n' | nc -N 127.0.0.1 3000 | od -c", out: [/E {3}c {3}h {3}o {3}: {7}c {3}r {3}l {3}f {2}\\n/] },
    { command: "head -c 5000 /dev/zero | tr '\\0' x | nc -N 127.0.0.1 3000", out: [/^Error: message too long/m] },
    { command: 'nc -N 127.0.0.1 3000', stdin: 'hello\nquit\n', out: [/^Echo: hello\nBye\.\n$/] },
  ],
  'tcp-chat': [
    run('npx learn run tcp-chat --port 3000', [/is ann/]),
    { command: "printf 'ann\\nhello from a script\\n' | nc -N 127.0.0.1 3000", out: [/welcome ann/] },
    { command: 'nc -N 127.0.0.1 3000', stdin: 'bob\nhi all\n', out: [/welcome bob/] },
    {
      command: "yes 'spam spam spam spam spam spam spam spam' | (echo flood; cat) | nc -N 127.0.0.1 3000 > /dev/null",
      // The text's terminal steps: one nc named and suspended (Ctrl-Z), the flood until the server
      // logs the drop (Ctrl-C), a third nc that still chats, and the suspended one brought back
      // (fg): it prints what the kernel held, and Ctrl-D ends it.
      scenario: async (scenario, flood) => {
        const port = scenario.port(3000);
        const slow = scenario.shell(`nc -N 127.0.0.1 ${port}`);
        slow.type('slowpoke\n', { end: false });
        expect(await slow.until(/welcome slowpoke/, 10_000), `the slow nc was not welcomed: ${slow.out}`).toBe(true);
        slow.signal('SIGSTOP');
        const flooding = scenario.shell(flood);
        flooding.type('');
        const server = scenario.server(3000);
        const dropped = await server.until(/is not reading \(\d+ bytes waiting\): dropped/, 30_000);
        flooding.interrupt();
        expect(dropped, `the server never logged the drop: ${server.out.slice(-2000)}`).toBe(true);
        const third = scenario.shell(`printf 'third\\nstill here\\n' | nc -N 127.0.0.1 ${port}`);
        third.type('');
        expect(await third.exit(10_000), 'a third nc should still chat').toBe(true);
        expect(third.out).toMatch(/welcome third/);
        slow.signal('SIGCONT');
        expect(await slow.until(/flood: spam/, 10_000), 'fg: the suspended nc prints what the kernel buffers held').toBe(true);
        slow.type('', { end: true }); // Ctrl-D
        expect(await slow.exit(10_000), 'Ctrl-D should end the suspended nc: the server has closed its side').toBe(true);
        expect(slow.stdout.length, 'megabytes, held by the kernel').toBeGreaterThan(500_000);
      },
    },
  ],
  'json-protocol': [
    run('npx learn run json-protocol --port 3000'),
    {
      command: 'nc -N 127.0.0.1 3000',
      stdin: '{"id":1,"type":"TIME"}\n{"id":2,"type":"ECHO","data":{"any":["json",1,null]}}\nnot json\n',
      out: [
        /^\{"id":1,"ok":true,"data":"\d{4}-\d\d-\d\dT[\d:.]+Z"\}$/m,
        /^\{"id":2,"ok":true,"data":\{"any":\["json",1,null\]\}\}$/m,
        /^\{"id":null,"ok":false,"error":"[^"]+"\}$/m,
      ],
    },
    { command: 'npx tsx lessons/05-json-protocol/client.ts --port 3000', until: /Connected to 127\.0\.0\.1:\d+\./, timeoutMs: 60_000 },
  ],
  udp: [
    run('npx learn run udp --port 3000'),
    { command: "printf 'one datagram' | nc -u -w1 127.0.0.1 3000", out: [/^one datagram$/] },
    { command: 'npx tsx lessons/06-udp/client.ts --port 3000 hello there', out: [/reply after \d+ ms: hello there/], timeoutMs: 60_000 },
    {
      command: 'npx tsx lessons/06-udp/client.ts --port 3999 --timeout-ms 100 --retries 3 anybody?',
      exit: 1,
      out: [/no reply to request #1 after 4 tries/],
      timeoutMs: 60_000,
    },
    { command: 'nc -u 127.0.0.1 3000', stdin: 'a datagram\n', until: /a datagram\n/ },
  ],
  'http-request-head': [
    run('npx learn run http-request-head --port 3000'),
    { command: "curl -v 'http://127.0.0.1:3000/hello?name=web'", out: [shown(200), /"target": "\/hello\?name=web"/] },
    {
      command: "curl -v -H 'X-Dup: one' -H 'x-dup: two' http://127.0.0.1:3000/",
      out: [shown(200), new RegExp(`${json('X-Dup', 'one').source}[\\s\\S]*${json('x-dup', 'two').source}`)],
    },
    { command: "printf 'GET / HTTP/1.1\\r\\n\\r\\n' | nc -N 127.0.0.1 3000", out: [raw(400), /Host/] },
    { command: "printf 'GET / HTTP/2.0\\r\\nHost: x\\r\\n\\r\\n' | nc -N 127.0.0.1 3000", out: [raw(505)] },
    { command: "printf 'GET / HTTP/1.1\\nHost: x\\n\\n' | nc -N 127.0.0.1 3000", out: [raw(400), /bare LF/] },
    { command: "printf 'GET a:80 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | nc -N 127.0.0.1 3000", out: [raw(400)] },
    { command: "printf 'OPTIONS * HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | nc -N 127.0.0.1 3000", out: [raw(200), /"target": "\*"/] },
    { command: 'curl -v -H "X-Big: $(head -c 9000 /dev/zero | tr \'\\0\' a)" http://127.0.0.1:3000/', out: [shown(431)] },
    { command: "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Dup: a\\r\\nx-dup: b\\r\\n\\r\\n' | nc -N 127.0.0.1 3000", out: [raw(200), dupFields] },
  ],
  'http-response': [
    run('npx learn run http-response --port 3000'),
    {
      command: 'curl -v http://127.0.0.1:3000/greeting',
      out: [shown(200), field('Content-Length', '42'), field('Date', /\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT/)],
    },
    { command: 'curl -I http://127.0.0.1:3000/', out: [raw(200), /^Content-Length: 14\r$/m], not: [/Hello, world/] },
    { command: 'curl -v -X POST http://127.0.0.1:3000/', out: [shown(405), field('Allow', /GET, HEAD/)] },
    { command: 'curl -v http://127.0.0.1:3000/nothing/here', out: [shown(404)] },
    { command: 'curl -v -X FOO http://127.0.0.1:3000/nothing/here', out: [shown(501)] },
    { command: "printf 'GET http://x/greeting HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | nc -N 127.0.0.1 3000", out: [raw(200), /^Content-Length: 42\r$/m] },
  ],
  'http-body': [
    run('npx learn run http-body --port 3000'),
    {
      command: "curl -v --data-binary 'hello, body' http://127.0.0.1:3000/echo",
      out: [shown(200)],
      // The body alone on stdout: curl's -v lines go to stderr and may land on the body's line.
      check: (run) => expect(run.stdout).toBe('hello, body'),
    },
    { command: 'head -c 5000000 /dev/urandom > /tmp/http-body-blob' },
    { command: 'curl -s --data-binary @/tmp/http-body-blob http://127.0.0.1:3000/echo | cmp - /tmp/http-body-blob && echo same', out: [/^same$/m] },
    { command: "curl -v -X GET --data-binary 'a body on a GET' http://127.0.0.1:3000/inspect", out: [shown(200), /"bodyLength": 15/] },
    { command: "curl -v -H 'Content-Length: abc' --data-binary x http://127.0.0.1:3000/echo", out: [shown(400)] },
    { command: "curl -v -H 'Transfer-Encoding: chunked' --data-binary x http://127.0.0.1:3000/echo", out: [shown(501)] },
    { command: 'head -c 2000000 /dev/urandom > /tmp/http-body-big' },
    { command: 'curl -v --data-binary @/tmp/http-body-big http://127.0.0.1:3000/echo -o /dev/null', out: [/^> Expect: 100-continue/m, shown(100), shown(200)] },
    {
      command: "curl -v -H 'Expect: 100-continue' --data-binary 'a small body' http://127.0.0.1:3000/nowhere",
      out: [/^> Expect: 100-continue/m, shown(404)],
      not: [shown(100)],
    },
    {
      command:
        'head -c 5000000 /dev/urandom > /tmp/http-body-blob && curl -s --data-binary @/tmp/http-body-blob http://127.0.0.1:3000/echo | cmp - /tmp/http-body-blob && echo same',
      out: [/^same$/m],
    },
  ],
  'keep-alive': [
    run('npx learn run keep-alive --port 3000'),
    {
      command: 'curl -v http://127.0.0.1:3000/ http://127.0.0.1:3000/greeting',
      out: [/Re-using existing connection #0/, /Hello, world!/, /> GET \/greeting HTTP\/1\.1/],
    },
    {
      command: "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /greeting HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' | nc 127.0.0.1 3000",
      out: [/^HTTP\/1\.1 200 OK[\s\S]*Hello, world!\n[\s\S]*^HTTP\/1\.1 200 OK[\s\S]*^Connection: close\r$/m],
      tookMs: [0, 4000], // ends when the server closes, long before the 5 s idle timeout
    },
    { command: "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 3000", out: [raw(200), /^Connection: close\r$/m], tookMs: [0, 4000] },
    { command: 'nc 127.0.0.1 3000 < /dev/null', tookMs: [4500, 15_000] },
    run('npx learn run keep-alive --port 3001 -- --head-timeout 3000'),
    {
      command: "(printf 'GET / HTTP/1.1\\r\\n'; for i in 1 2 3 4 5; do sleep 1; printf 'X: y\\r\\n'; done) | nc 127.0.0.1 3001",
      out: [raw(408)],
      // The 408 comes at 3 s (not at the default 10 s), while the client still trickles.
      check: (run) => {
        const first = run.chunks.find((chunk) => chunk.stream === 'stdout');
        expect(first?.at, 'the 408 should come after the 3 s head timeout').toBeGreaterThanOrEqual(2500);
        expect(first?.at, 'the 408 should come at the 3 s head timeout, long before the default one').toBeLessThan(9000);
      },
    },
    {
      command:
        'python3 -c \'import http.client as h; c = h.HTTPConnection("127.0.0.1", 3000)\nfor p in ["/", "/greeting", "/inspect"]: c.request("GET", p); r = c.getresponse(); print(r.status, len(r.read()))\'',
      out: [/^200 14\n200 42\n200 \d+\n$/],
    },
    { command: 'wrk -c 50 -d 5s http://127.0.0.1:3000/', out: [/Requests\/sec:\s+\d/], not: [/Non-2xx|Socket errors/] },
  ],
  'chunked-response': [
    run('npx learn run chunked-response --port 3000'),
    { command: "curl -N 'http://127.0.0.1:3000/sheep?n=5&interval=1000'", out: [/1 sheep\n[\s\S]*5 sheep\n/], spreadMs: 3000 },
    { command: 'curl -s --raw http://127.0.0.1:3000/pieces | od -c | head -20', out: [/^0000000 {3}f {2}\\r {2}\\n {3}H {3}e {3}l {3}l {3}o/] },
    { command: 'curl -sI http://127.0.0.1:3000/sheep', out: [raw(200), /^Transfer-Encoding: chunked\r$/m], tookMs: [0, 3000] },
    {
      command: 'curl -s0 -D - http://127.0.0.1:3000/pieces | head -c 300 | od -c',
      out: [/c {3}l {3}o {3}s {3}e/, /H {3}e {3}l {3}l {3}o {3}, {7}c {3}h/],
      not: [/c {3}h {3}u {3}n {3}k {3}e {3}d/],
    },
    { command: 'curl -v http://127.0.0.1:3000/broken', exit: 18, out: [shown(200), /curl: \(18\)/] },
    { command: "curl -s -o /dev/null -w '%{size_download} bytes\\n' 'http://127.0.0.1:3000/stream?mib=256'", out: [/^268435456 bytes$/m], timeoutMs: 60_000 },
    {
      command: "printf 'GET /sheep?n=3&interval=500 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | nc -N 127.0.0.1 3000",
      out: [/^Transfer-Encoding: chunked\r$/m, /^8\r\n1 sheep\n\r\n/m, /^0\r\n\r\n/m],
    },
    { command: 'curl -s --raw http://127.0.0.1:3000/pieces | od -c | head', out: [/^0000000 {3}f {2}\\r {2}\\n/] },
    {
      command: "printf 'GET /pieces HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 3000",
      out: [raw(200), /^Connection: close\r$/m, /\r\n\r\nHello, chunks!\n/],
      not: [/Transfer-Encoding/],
    },
  ],
  'chunked-request': [
    run('npx learn run chunked-request --port 3000'),
    {
      command: 'echo hello | curl -v -T - http://127.0.0.1:3000/echo',
      out: [/^> Transfer-Encoding: chunked/m, shown(100), shown(200), field('Transfer-Encoding', 'chunked'), /^hello$/m],
    },
    { command: 'head -c 3000000 /dev/urandom > /tmp/chunked-request-blob' },
    { command: 'curl -s -T - http://127.0.0.1:3000/echo < /tmp/chunked-request-blob | cmp - /tmp/chunked-request-blob && echo same', out: [/^same$/m] },
    { command: "curl -s -H 'Transfer-Encoding: chunked' --data-binary 'in chunks' http://127.0.0.1:3000/inspect | tail -4", out: [/"bodyLength": 9/] },
    {
      command:
        'python3 -c \'import http.client as h; c = h.HTTPConnection("127.0.0.1", 3000)\nc.request("POST", "/echo", body=iter([b"one ", b"two"]), encode_chunked=True); print(c.getresponse().read())\'',
      out: [/^b'one two'$/m],
    },
    {
      command:
        "printf 'POST /inspect HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5;n=1\\r\\nhello\\r\\n0\\r\\nX-Sum: 5\\r\\n\\r\\n' | nc -N 127.0.0.1 3000",
      out: [raw(200), /"bodyLength": 5/, json('X-Sum', '5')],
    },
    {
      command:
        "printf 'POST /echo HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n' | nc -N 127.0.0.1 3000",
      out: [raw(400)],
    },
    {
      command: "printf 'POST /echo HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n0\\r\\n\\r\\n' | nc -N 127.0.0.1 3000",
      out: [raw(400)],
    },
    { command: 'echo hello | curl -T - http://127.0.0.1:3000/echo', out: [/^hello$/m] },
    {
      command:
        "printf 'POST /inspect HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5;note=hi\\r\\nhello\\r\\n0\\r\\nX-Sum: 42\\r\\n\\r\\n' | nc -N 127.0.0.1 3000",
      out: [raw(200), /"bodyLength": 5/, json('X-Sum', '42')],
    },
  ],
  'static-files': [
    run('npx learn run static-files --port 3000 -- --log', [/GET \/hello\.txt → 200/, /GET \/docs → 301/]),
    { command: 'curl -v http://127.0.0.1:3000/hello.txt', out: [shown(200), field('Content-Type', 'text/plain; charset=utf-8')] },
    { command: 'curl -v http://127.0.0.1:3000/docs', out: [shown(301), field('Location', '/docs/')] },
    { command: 'curl -v --path-as-is http://127.0.0.1:3000/../../etc/passwd', out: [/^> GET \/\.\.\/\.\.\/etc\/passwd /m, shown(404)], not: [/root:/] },
    { command: "curl -v --path-as-is 'http://127.0.0.1:3000/%2e%2e/%2e%2e/etc/passwd'", out: [shown(404)], not: [/root:/] },
    { command: 'curl -sI http://127.0.0.1:3000/images/grid.png', out: [raw(200), /^Content-Type: image\/png\r$/m, /^Content-Length: [1-9]\d*\r$/m] },
    { command: 'mkdir -p /tmp/static-files-big && truncate -s 1G /tmp/static-files-big/zeros.bin' },
    run('npx learn run static-files --port 3001 -- --root /tmp/static-files-big'),
    // 1 GiB at 10 MB/s: still going after 3 s, when Ctrl-C comes.
    { command: 'curl --limit-rate 10M -o /dev/null http://127.0.0.1:3001/zeros.bin', stopAfterMs: 3000 },
    run('npx learn run static-files --port 3000'),
    { command: 'In a browser: open http://127.0.0.1:3000/', out: [/^200 text\/html.* and [1-9]/] },
  ],
  'range-requests': [
    run('npx learn run range-requests --port 3000 -- --log', [/GET \/alphabet\.txt \[Range: bytes=0-31\] → 206/]),
    {
      command: 'curl -v -r 0-31 http://127.0.0.1:3000/alphabet.txt',
      out: [shown(206), field('Content-Range', 'bytes 0-31/3200'), /^line 001: abcdefghijklmnopqrstu$/m],
    },
    {
      command: 'curl -v -r -10 http://127.0.0.1:3000/alphabet.txt',
      out: [shown(206), field('Content-Range', 'bytes 3190-3199/3200'), field('Content-Length', '10')],
    },
    {
      command: 'curl -v -r 0-1,64-70 http://127.0.0.1:3000/alphabet.txt',
      out: [shown(206), field('Content-Type', /multipart\/byteranges; boundary=\S+/), /Content-Range: bytes 0-1\/3200/, /Content-Range: bytes 64-70\/3200/],
    },
    { command: "curl -v -H 'Range: bytes=9999-' http://127.0.0.1:3000/alphabet.txt", out: [shown(416), field('Content-Range', 'bytes \\*/3200')] },
    { command: "curl -v -H 'Range: bytes=5-2' http://127.0.0.1:3000/alphabet.txt", out: [shown(200), field('Content-Length', '3200')] },
    { command: 'curl -s -r 0-99 -o /tmp/range-requests-a.txt http://127.0.0.1:3000/alphabet.txt' },
    { command: 'curl -v -C - -o /tmp/range-requests-a.txt http://127.0.0.1:3000/alphabet.txt', out: [/^> Range: bytes=100-/m, shown(206)] },
    { command: 'cmp /tmp/range-requests-a.txt lessons/14-range-requests/site/alphabet.txt && echo complete', out: [/^complete$/m] },
    run('npx learn run range-requests --port 3000'),
    { command: 'curl -v -r 0-99 http://127.0.0.1:3000/alphabet.txt', out: [shown(206), field('Content-Range', 'bytes 0-99/3200')] },
    { command: 'curl -v -r 0-1,5-9 http://127.0.0.1:3000/alphabet.txt', out: [shown(206), field('Content-Type', /multipart\/byteranges; boundary=\S+/)] },
    { command: "curl -v -H 'Range: bytes=99999-' http://127.0.0.1:3000/alphabet.txt", out: [shown(416), field('Content-Range', 'bytes \\*/3200')] },
  ],
  'http-caching': [
    run('npx learn run http-caching --port 3000 -- --log', [/GET \/hello\.txt \[If-None-Match: "[^"]+"\] → 304/]),
    {
      command: 'curl -v http://127.0.0.1:3000/hello.txt',
      out: [shown(200), field('ETag', /"[0-9a-f]+-[0-9a-f]+"/), field('Last-Modified', /.+ GMT/), field('Cache-Control', 'no-cache')],
    },
    {
      command:
        "etag=$(curl -sI http://127.0.0.1:3000/hello.txt | tr -d '\\r' | sed -n 's/^ETag: //p'); curl -v -H \"If-None-Match: $etag\" http://127.0.0.1:3000/hello.txt",
      out: [/^> If-None-Match: "[0-9a-f]+-[0-9a-f]+"/m, shown(304)],
    },
    { command: 'curl -v -z lessons/15-http-caching/site/hello.txt http://127.0.0.1:3000/hello.txt', out: [/^> If-Modified-Since: /m, shown(304)] },
    { command: 'curl -v -H \'If-None-Match: "an-old-tag"\' http://127.0.0.1:3000/hello.txt', out: [shown(200)] },
    { command: 'touch lessons/15-http-caching/site/hello.txt' },
    {
      command: 'curl -sI http://127.0.0.1:3000/hello.txt',
      out: [raw(200), /^ETag: "/m],
      check: (run) => {
        const modified = /^Last-Modified: (.+)\r$/m.exec(run.out)?.[1];
        expect(Math.abs(Date.now() - Date.parse(modified ?? '')), `Last-Modified after the touch should be now, not ${modified}`).toBeLessThan(120_000);
      },
    },
    { command: 'curl -v -r 0-9 -H \'If-Range: "an-old-tag"\' http://127.0.0.1:3000/hello.txt', out: [shown(200), field('Content-Length', '48')] },
    {
      command: 'In a browser: open http://127.0.0.1:3000/, reload, and watch the 304s; /video.html seeks with Range requests',
      out: [/^200 text\/html.* and [1-9]/],
    },
  ],
  compression: [
    run('npx learn run compression --port 3000 -- --log'),
    {
      command: 'curl -v --compressed http://127.0.0.1:3000/page.js -o /dev/null',
      out: [field('Content-Encoding', 'br'), field('Transfer-Encoding', 'chunked'), field('Vary', 'Accept-Encoding')],
      not: [/^< Content-Length/im],
    },
    { command: "curl -s -H 'Accept-Encoding: gzip' http://127.0.0.1:3000/alphabet.txt | gunzip | head -3", out: [/^line 001: a[\s\S]*^line 003: a/m] },
    {
      command: "curl -sI -H 'Accept-Encoding: gzip;q=0' http://127.0.0.1:3000/alphabet.txt",
      out: [raw(200), /^Vary: Accept-Encoding\r$/m, /^Content-Length: 3200\r$/m],
      not: [/Content-Encoding/i],
    },
    { command: "curl -sI -H 'Accept-Encoding: identity;q=0' http://127.0.0.1:3000/alphabet.txt", out: [raw(406)] },
    { command: "curl -s -r 0-31 -H 'Accept-Encoding: gzip' http://127.0.0.1:3000/alphabet.txt", out: [/^line 001: abcdefghijklmnopqrstu\n$/] },
    { command: "curl -N --compressed 'http://127.0.0.1:3000/sheep?n=5&interval=1000'", out: [/1 sheep\n[\s\S]*5 sheep\n/], spreadMs: 3000 },
    { command: "curl -v -H 'Accept-Encoding: identity;q=0, gzip;q=0, br;q=0' http://127.0.0.1:3000/page.js", out: [shown(406)] },
    { command: 'In a browser: open http://127.0.0.1:3000/, with the Content-Encoding column in the network panel', out: [/^200 text\/html.* and [1-9]/] },
  ],
  'websocket-handshake': [
    run('npx learn run websocket-handshake --port 3000'),
    {
      command:
        "curl -i -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 8' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' http://127.0.0.1:3000/echo",
      out: [raw(426), /^Sec-WebSocket-Version: 13\r$/m],
    },
    { command: 'curl -i http://127.0.0.1:3000/echo', out: [raw(426), /^Upgrade: websocket\r$/m] },
    {
      command:
        "curl -v -N -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' http://127.0.0.1:3000/echo",
      until: field('Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK\\+xOo='),
      out: [shown(101)],
    },
    { command: "ws = new WebSocket('ws://127.0.0.1:3000/echo'); ws.onmessage = (e) => console.log(e.data); ws.onopen = () => ws.send('hi')", until: /^hi$/m },
    run('npx learn run websocket-handshake --port 3001 -- --origin http://example.com'),
    {
      command:
        "curl -i -H 'Origin: http://other.example' -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' http://127.0.0.1:3001/echo",
      out: [raw(403)],
    },
  ],
  'websocket-frames': [
    run('npx learn run websocket-frames --port 3000'),
    {
      command:
        "node -e \"const ws = new (require('ws'))('ws://127.0.0.1:3000/echo'); ws.on('open', () => { ws.send('hi'); ws.send(Buffer.alloc(70000)); ws.ping('x') }); ws.on('message', (m, binary) => console.log(binary ? 'binary' : 'text', m.length)); ws.on('pong', (p) => { console.log('pong', String(p)); ws.close(1000, 'bye') }); ws.on('close', (code) => console.log('closed', code))\"",
      out: [/^text 2\nbinary 70000\npong x\nclosed 1000\n$/],
    },
    { command: 'python3 -m websockets ws://127.0.0.1:3000/echo', stdin: 'hello frames\n', until: /< hello frames/ },
    {
      command: "ws = new WebSocket('ws://127.0.0.1:3000/echo'); ws.onmessage = (e) => console.log(e.data.length); ws.onopen = () => ws.send('x'.repeat(70000))",
      until: /^70000$/m,
    },
    {
      command:
        "node -e \"const ws = new (require('ws'))('ws://127.0.0.1:3000/echo'); ws.on('open', () => ws.send('hi')); ws.on('message', (m) => { console.log(String(m)); ws.close(1000) })\"",
      out: [/^hi\n$/],
    },
    {
      command: "ws = new WebSocket('ws://127.0.0.1:3000/echo'); ws.onmessage = (e) => console.log(e.data); ws.onopen = () => ws.send('x'.repeat(70000))",
      until: /^x{70000}$/m,
    },
  ],
  'websocket-chat': [
    run('npx learn run websocket-chat --port 3000'),
    {
      command:
        "node -e \"const ws = new (require('ws'))('ws://127.0.0.1:3000/chat'); ws.on('open', () => ws.send(JSON.stringify({ type: 'join', name: 'node' }))); ws.on('message', (m) => console.log(String(m))); ws.on('close', (code, why) => console.log('closed', code, String(why)))\"",
      // Ctrl-C to the server: every client is told 1001 (going away) before it stops.
      until: /"type":"welcome".*"name":"node"/,
      stopServer: true,
      out: [/^closed 1001 server shutting down$/m],
    },
    { command: 'In a browser: open http://127.0.0.1:3000/ in two windows, join with two names, and talk.', out: [/^200 text\/html.* and [1-9]/] },
    // The trophy answers every lesson's routes too: bytes 0-99 of a file (not compressed: a 206 never is), a chunked upload.
    {
      command: 'curl --compressed -r 0-99 http://127.0.0.1:3000/alphabet.txt',
      out: [/^line 001: abcdefghijklmnopqrstu\nline 002: abcdefghijklmnopqrstu\nline 003: abcdefghijklmnopqrstu\nline$/],
    },
    { command: 'echo hi | curl -T - http://127.0.0.1:3000/echo', out: [/^hi\n$/] },
  ],
  'sni-router': [
    {
      command:
        'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -keyout key.pem -out cert.pem -subj /CN=localhost -addext subjectAltName=DNS:localhost,DNS:a.test',
      check: (run) => expect(run.out).not.toMatch(/error/i),
    },
    tlsBackend('openssl s_server -accept 127.0.0.1:9001 -www -cert cert.pem -key key.pem'),
    tlsBackend('openssl s_server -accept 127.0.0.1:9002 -www -cert cert.pem -key key.pem'),
    run('npx learn run sni-router --port 8443 -- --route a.test=127.0.0.1:9001 --default 127.0.0.1:9002'),
    {
      command: 'curl --cacert cert.pem --resolve a.test:8443:127.0.0.1 https://a.test:8443/',
      // s_server -www's status page starts with its own command line: which backend answered.
      check: (run, scenario) => expect(run.out).toContain(`s_server -accept 127.0.0.1:${scenario.port(9001)} -www`),
    },
    { command: 'openssl s_client -connect 127.0.0.1:8443 -servername a.test </dev/null', out: [/subject=CN ?= ?localhost/, /Verify return code: \d+/] },
    // Not TLS: the router closes without a byte, so xxd has nothing to show.
    { command: "printf 'GET / HTTP/1.1\\r\\n\\r\\n' | nc 127.0.0.1 8443 | xxd", out: [/^$/] },
    run('npx learn run sni-router --port 3000 -- --route localhost=127.0.0.1:9001'),
    {
      command: 'curl -vk https://localhost:3000/',
      check: (run, scenario) => expect(run.out).toContain(`s_server -accept 127.0.0.1:${scenario.port(9001)} -www`),
    },
    { command: 'openssl s_client -connect 127.0.0.1:3000 -servername nobody.test', exit: 'any', out: [/unrecognized name/] },
  ],
  https: [
    run('npx learn run https --port 3000', [/Development certificates in \.learn\/tls\//]),
    {
      command: 'curl -v --cacert .learn/tls/ca.pem https://localhost:3000/',
      out: [/ALPN[:,] server accepted (to use )?http\/1\.1/, shown(200), field('Strict-Transport-Security', 'max-age=86400')],
    },
    { command: 'curl -i http://127.0.0.1:3000/', out: [raw(400), /This port speaks HTTPS/] },
    {
      command: 'openssl s_client -connect 127.0.0.1:3000 -servername chat.app.test -CAfile .learn/tls/ca.pem -alpn http/1.1 -tls1_2 </dev/null',
      out: [/^subject=CN ?= ?app\.test$/m, /^ALPN protocol: http\/1\.1$/m, /Protocol *: TLSv1\.2/, /Verify return code: 0 \(ok\)/],
    },
    { command: "openssl s_client -connect 127.0.0.1:3000 -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null", exit: 1, out: [/alert protocol version/] },
  ],
  'http2-server': [
    run('npx learn run http2-server --port 3000 -- --h2c-port 3001', [/Development certificates in \.learn\/tls\//]),
    {
      command: 'curl -v --cacert .learn/tls/ca.pem https://localhost:3000/index.html -o /dev/null',
      out: [/ALPN[:,] server accepted (to use )?h2/, /^< HTTP\/2 200/m, /^< strict-transport-security: max-age=86400\r?$/m],
    },
    {
      command: 'curl -v --http1.1 --cacert .learn/tls/ca.pem https://localhost:3000/index.html -o /dev/null',
      out: [/ALPN[:,] server accepted (to use )?http\/1\.1/, shown(200)],
    },
    {
      command: 'curl -sI --cacert .learn/tls/ca.pem --compressed https://localhost:3000/page.js',
      out: [/^HTTP\/2 200/m, /^content-encoding: br\r?$/m],
      not: [/transfer-encoding/i],
    },
    { command: 'curl --http2-prior-knowledge http://127.0.0.1:3001/hello.txt', out: [/^Hello, files!\n/] },
    {
      command: 'nghttp -n -s -m 20 http://127.0.0.1:3001/index.html',
      check: (run) => expect(run.out.split('\n').filter((line) => /^\s*\d+\s+\+\S+\s+\+\S+\s+\S+\s+200\s/.test(line))).toHaveLength(20),
    },
    {
      command: 'openssl s_client -connect 127.0.0.1:3000 -CAfile .learn/tls/ca.pem -alpn h2,http/1.1 </dev/null',
      out: [/^ALPN protocol: h2$/m, /Verify return code: 0 \(ok\)/],
    },
  ],
  'http2-frames': [
    run('npx learn run http2-frames --port 3000'),
    { command: 'curl --http2-prior-knowledge http://127.0.0.1:3000/', out: [/^Hello, HTTP\/2!\n$/] },
    {
      command: 'nghttp -v http://127.0.0.1:3000/',
      out: [
        /recv SETTINGS frame <length=0, flags=0x00, stream_id=0>/,
        /recv SETTINGS frame <length=0, flags=0x01, stream_id=0>\n\s+; ACK/,
        /recv HEADERS frame/,
        /^Hello, HTTP\/2!$/m,
        /; END_STREAM/,
      ],
    },
    {
      command:
        "printf 'PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\\000\\000\\000\\004\\000\\000\\000\\000\\000\\000\\000\\010\\006\\000\\000\\000\\000\\000hi-there' | nc -N 127.0.0.1 3000 | od -An -tx1",
      out: [/^ 00 00 00 04 00 00 00 00 00 00 00 00 04 01 00 00\n 00 00 00 00 08 06 01 00 00 00 00 68 69 2d 74 68\n 65 72 65\n$/],
    },
  ],
  hpack: [
    {
      command:
        "npx tsx -e \"import { HpackDecoder } from './lessons/23-hpack/hpack.ts'; console.log(new HpackDecoder().decode(Buffer.from('828684418cf1e3c2e5f23a6ba0ab90f4ff', 'hex')))\"",
      out: [/\[ ':method', 'GET' \]/, /\[ ':authority', 'www\.example\.com' \]/],
    },
    {
      command:
        "npx tsx -e \"import { HpackEncoder } from './lessons/23-hpack/hpack.ts'; process.stdout.write(new HpackEncoder().encode([[':method', 'GET'], ['x-id', '7']]).toString('hex'))\" | /usr/bin/python3 -c \"import sys, hpack; print(hpack.Decoder().decode(bytes.fromhex(sys.stdin.read())))\"",
      out: [/^\[\(':method', 'GET'\), \('x-id', '7'\)\]$/m],
    },
  ],
  'http2-streams': [
    run('npx learn run http2-streams --port 3000'),
    { command: 'curl --http2-prior-knowledge http://127.0.0.1:3000/hello.txt', out: [/^Hello, files!\n/] },
    { command: 'echo hi | curl --http2-prior-knowledge -T - http://127.0.0.1:3000/echo', out: [/^hi\n$/] },
    // One line per stream: 20 of them, odd ids, each a 200 for /page.js.
    { command: 'nghttp -ns -m 20 http://127.0.0.1:3000/page.js', check: (run) => expect(run.out.match(/ 200 .*\/page\.js$/gm)?.length).toBe(20) },
    {
      command: "nghttp -nv -w 12 'http://127.0.0.1:3000/stream?mib=1' | grep -E 'DATA|WINDOW_UPDATE' | head -4",
      out: [/recv DATA frame <length=4095, flags=0x00, stream_id=13>\n.*send WINDOW_UPDATE frame <length=4, flags=0x00, stream_id=13>/],
    },
    {
      command:
        "printf 'PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n\\000\\000\\000\\004\\000\\000\\000\\000\\000\\000\\000\\023\\001\\005\\000\\000\\000\\001\\202\\206\\204\\001\\011localhost\\000\\001X\\001y' | nc -N 127.0.0.1 3000 | od -An -tx1",
      out: [/^ 00 00 06 04 00 00 00 00 00 00 03 00 00 00 64 00\n 00 00 04 01 00 00 00 00 00 00 04 03 00 00 00 00\n 01 00 00 00 01\n$/],
    },
  ],
};

// Real HTTP/2 clients against the http2-frames reference (h2c with prior knowledge): curl
// --http2-prior-knowledge, nghttp (Debian: nghttp2-client), Node's http2.connect as a strict
// client, and Python's h2 (Debian: python3-h2) driving a connection by hand and seeing the SETTINGS
// ACK and the PING ACK. Loopback only, every run bounded. CI installs both Debian packages.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Program } from '../process/program.ts';
import { startReference } from './support/reference.ts';

const BODY = 'Hello, HTTP/2!\n';
/** Debian's Python has Debian's modules (apt: python3-h2); pyenv's python3 may not. */
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function run(command: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000, input });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

describe('real HTTP/2 clients against the http2-frames reference', () => {
  let server: { program: Program; port: number };
  beforeAll(async () => {
    server = await startReference('http2-frames', { startTimeoutMs: 15_000 });
  });
  afterAll(async () => {
    await server?.program.stop();
  });
  const url = () => `http://127.0.0.1:${server.port}/`;

  test('curl --http2-prior-knowledge gets the fixed body over HTTP/2 and exits 0', () => {
    const result = run('curl', ['-sS', '--max-time', '10', '--http2-prior-knowledge', '-w', '\n%{http_version} %{http_code} %{content_type}', url()]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${BODY}\n2 200 text/plain; charset=utf-8`);
  });

  test('nghttp sees the SETTINGS ACK, the response headers and the body', () => {
    const result = run('nghttp', ['-v', '-t', '10', url()]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/recv SETTINGS frame <length=0, flags=0x00, stream_id=0>/);
    expect(result.stdout).toMatch(/recv SETTINGS frame <length=0, flags=0x01, stream_id=0>\n\s+; ACK/);
    expect(result.stdout).toMatch(/recv \(stream_id=\d+\) :status: 200/);
    expect(result.stdout).toMatch(/recv \(stream_id=\d+\) content-type: text\/plain; charset=utf-8/);
    expect(result.stdout).toContain(BODY);
    expect(result.stdout).toMatch(/recv DATA frame <length=15, flags=0x01, stream_id=\d+>\n\s+; END_STREAM/);
  });

  test("Node's http2.connect, a strict client: two requests and a PING complete with no session error", async () => {
    const session = http2.connect(url());
    const errors: Error[] = [];
    session.on('error', (error) => errors.push(error));
    const get = () =>
      new Promise<{ status: unknown; type: unknown; body: string }>((resolve, reject) => {
        const stream = session.request({ ':path': '/' });
        let status: unknown;
        let type: unknown;
        let body = '';
        stream.on('response', (headers) => {
          status = headers[':status'];
          type = headers['content-type'];
        });
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (body += chunk));
        stream.on('end', () => resolve({ status, type, body }));
        stream.on('error', reject);
      });
    try {
      const [first, second] = await Promise.all([get(), get()]);
      expect(first).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: BODY });
      expect(second).toEqual(first);
      const payload = Buffer.from([0xff, 0x80, 1, 2, 3, 4, 5, 0xfe]);
      const echoed = await new Promise<Buffer>((resolve, reject) => session.ping(payload, (error, _ms, data) => (error ? reject(error) : resolve(data))));
      expect(echoed.equals(payload)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => session.close(() => resolve()));
    }
    expect(errors).toEqual([]);
  });

  test('Python h2 drives a connection: the SETTINGS ACK, the PING ACK with the same data, a response', () => {
    const script = `
import socket, sys
import h2.connection, h2.config, h2.events
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
conn.ping(b"\\xff\\x80pyping")
conn.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", "/")], end_stream=True)
sock.sendall(conn.data_to_send())
seen, body = [], b""
while "ended" not in seen:
    data = sock.recv(65536)
    if not data:
        break
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.SettingsAcknowledged): seen.append("settings-ack")
        elif isinstance(event, h2.events.RemoteSettingsChanged): seen.append("settings")
        elif isinstance(event, h2.events.PingAckReceived): seen.append("ping-ack " + event.ping_data.hex())
        elif isinstance(event, h2.events.ResponseReceived): seen.append("status " + dict(event.headers)[b":status"].decode())
        elif isinstance(event, h2.events.DataReceived):
            body += event.data
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded): seen.append("ended")
        elif isinstance(event, h2.events.ConnectionTerminated): seen.append("goaway")
    sock.sendall(conn.data_to_send())
conn.close_connection()
sock.sendall(conn.data_to_send())
sock.close()
print(" | ".join(seen))
print(repr(body))
`;
    const result = run(python, ['-c', script, String(server.port)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [events, body] = result.stdout.trim().split('\n');
    expect(events).toContain('settings');
    expect(events).toContain('settings-ack');
    expect(events).toContain(`ping-ack ${Buffer.from('\xff\x80pyping', 'latin1').toString('hex')}`);
    expect(events).toContain('status 200');
    expect(events).not.toContain('goaway');
    expect(body).toBe(`b'${BODY.replace('\n', '\\n')}'`);
  });
});

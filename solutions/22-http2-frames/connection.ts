// http2-frames: one HTTP/2 connection (RFC 9113), at the level of frames. It sends its preface
// (an empty SETTINGS frame: every default stands), reads the client's preface and frames, answers
// SETTINGS with an ACK and PING with a PING ACK, and answers every request with one fixed response.
// Any connection error ends it: a GOAWAY with the error code (§5.4.1), then the socket is closed.
// Streams come in the http2-streams lesson, and reading the request's header block in hpack.

import type net from 'node:net';
import { ConnectionError, ErrorCode, FrameReader, FrameType, type Frame } from './frame-reader.ts';
import { encodeFrame, encodeGoaway, encodeSettings } from './frame-writer.ts';
import { ACK, applySettings, checkSettingsFrame, defaultSettings } from './settings.ts';

// Frame flags (§6.1, §6.2, §6.10).
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

/**
 * The response's header block, encoded by hand with HPACK (RFC 7541):
 *   0x88             indexed field 8 of the static table (Appendix A): `:status: 200`
 *   0x0f 0x10        literal without indexing, name = static index 31 `content-type`
 *                    (a 4-bit prefix: 15 fills it, and the next octet adds 16)
 *   0x19 "text/…"    the value: not Huffman coded (high bit 0), 25 octets
 */
export const RESPONSE_HEADER_BLOCK = Buffer.concat([Buffer.from([0x88, 0x0f, 0x10, 0x19]), Buffer.from('text/plain; charset=utf-8', 'latin1')]);
export const RESPONSE_BODY = Buffer.from('Hello, HTTP/2!\n', 'latin1');

export interface ConnectionOptions {
  /** How long to wait for the client's ACK of our SETTINGS before SETTINGS_TIMEOUT (§6.5.3). */
  settingsTimeoutMs: number;
}

export class Http2Connection {
  private readonly reader = new FrameReader(); // we announce no MAX_FRAME_SIZE: 16384 stands
  private readonly peerSettings = defaultSettings();
  /** §3.4: the first frame after the client's preface must be SETTINGS. */
  private sawClientSettings = false;
  /** Our SETTINGS frames the peer has not acknowledged yet, and the timer that waits for them. */
  private unacknowledged = 0;
  private settingsTimer: NodeJS.Timeout | undefined;
  /** The highest stream a request came on: GOAWAY's Last-Stream-ID (§6.8). */
  private lastStreamId = 0;
  /** A header block in progress: the stream its CONTINUATION frames must come on (§6.10). */
  private continuing = 0;
  private closing = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: ConnectionOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.close());
    socket.on('error', () => this.close());
    socket.on('close', () => clearTimeout(this.settingsTimer));
    this.sendSettings();
  }

  /** §3.4: our preface is a SETTINGS frame, sent at once. Empty: every default of §6.5.2 stands. */
  private sendSettings(): void {
    this.write(encodeFrame(FrameType.SETTINGS, 0, 0, encodeSettings([])));
    this.unacknowledged++;
    this.settingsTimer ??= setTimeout(
      () => this.fail(new ConnectionError(ErrorCode.SETTINGS_TIMEOUT, 'Our SETTINGS were never acknowledged.')),
      this.options.settingsTimeoutMs,
    );
  }

  private receive(chunk: Buffer): void {
    if (this.closing) return;
    this.reader.push(chunk);
    try {
      for (let frame = this.reader.next(); frame && !this.closing; frame = this.reader.next()) this.handle(frame);
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      this.fail(error);
    }
  }

  private handle(frame: Frame): void {
    if (!this.sawClientSettings && frame.type !== FrameType.SETTINGS) {
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, 'The first frame after the preface must be SETTINGS.');
    }
    // §6.10: a header block is a contiguous sequence of frames; nothing may come in between.
    if (this.continuing !== 0 && (frame.type !== FrameType.CONTINUATION || frame.streamId !== this.continuing)) {
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `A header block on stream ${this.continuing} was interrupted by a frame of type ${frame.type}.`);
    }
    switch (frame.type) {
      case FrameType.SETTINGS:
        return this.onSettings(frame);
      case FrameType.PING:
        return this.onPing(frame);
      case FrameType.GOAWAY:
        return this.onGoaway(frame);
      case FrameType.HEADERS:
        return this.onHeaders(frame);
      case FrameType.CONTINUATION:
        return this.onContinuation(frame);
      case FrameType.PUSH_PROMISE:
        throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, 'A client must not send PUSH_PROMISE (§8.4).');
      default:
        // DATA, PRIORITY, RST_STREAM and WINDOW_UPDATE matter once there are streams (a later
        // lesson); §5.5: frames of an unknown type are ignored.
        return;
    }
  }

  private onSettings(frame: Frame): void {
    checkSettingsFrame(frame);
    this.sawClientSettings = true;
    if (frame.flags & ACK) {
      // The peer has applied our settings. An ACK is never acknowledged itself.
      if (this.unacknowledged > 0 && --this.unacknowledged === 0) clearTimeout(this.settingsTimer);
      return;
    }
    applySettings(frame.payload, this.peerSettings);
    this.write(encodeFrame(FrameType.SETTINGS, ACK, 0)); // §6.5.3: acknowledge each, at once
  }

  /** §6.7: a PING is answered with a PING ACK carrying the same 8 octets; an ACK is not answered. */
  private onPing(frame: Frame): void {
    if (frame.streamId !== 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `PING on stream ${frame.streamId}; it belongs to stream 0.`);
    if (frame.payload.length !== 8) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `A PING of ${frame.payload.length} octets; a PING carries 8.`);
    if (frame.flags & ACK) return;
    this.write(encodeFrame(FrameType.PING, ACK, 0, frame.payload));
  }

  /** §6.8: the peer is going away. Nothing is in flight here, so the connection simply ends. */
  private onGoaway(frame: Frame): void {
    if (frame.streamId !== 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `GOAWAY on stream ${frame.streamId}; it belongs to stream 0.`);
    if (frame.payload.length < 8) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `A GOAWAY of ${frame.payload.length} octets; it has at least 8.`);
    this.close();
  }

  /** §6.2: a request opens a new stream: odd (client-initiated) and above every earlier one (§5.1.1). */
  private onHeaders(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, 'HEADERS on stream 0.');
    if (id % 2 === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `HEADERS on stream ${id}: clients open odd streams.`);
    if (id <= this.lastStreamId) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `HEADERS on stream ${id}, not above ${this.lastStreamId}.`);
    this.lastStreamId = id;
    // The header block itself is skipped: decoding it is the hpack lesson.
    if (frame.flags & END_HEADERS) this.respond(id);
    else this.continuing = id;
  }

  private onContinuation(frame: Frame): void {
    if (this.continuing === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, 'CONTINUATION with no header block in progress.');
    if (frame.flags & END_HEADERS) {
      this.continuing = 0;
      this.respond(frame.streamId);
    }
  }

  /** The fixed response: HEADERS (END_HEADERS), then DATA (END_STREAM), both on the request's stream. */
  private respond(streamId: number): void {
    this.write(encodeFrame(FrameType.HEADERS, END_HEADERS, streamId, RESPONSE_HEADER_BLOCK));
    this.write(encodeFrame(FrameType.DATA, END_STREAM, streamId, RESPONSE_BODY));
  }

  /** §5.4.1: a connection error: GOAWAY with the last stream we processed and the code, then close. */
  private fail(error: ConnectionError): void {
    if (this.closing) return;
    this.write(encodeFrame(FrameType.GOAWAY, 0, 0, encodeGoaway(this.lastStreamId, error.code, error.message)));
    this.close();
  }

  /** Ends our side after what is queued is sent; the peer's FIN (or a second) completes the close. */
  private close(): void {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.settingsTimer);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private write(bytes: Buffer): void {
    if (!this.closing && this.socket.writable) this.socket.write(bytes);
  }
}

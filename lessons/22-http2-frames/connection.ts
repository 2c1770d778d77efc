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
    // TODO: count this SETTINGS as unacknowledged, and start a timer (this.options.settingsTimeoutMs)
    // that fails the connection with SETTINGS_TIMEOUT unless the ACK comes first.
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
    // TODO: before the client's SETTINGS, any other frame is a PROTOCOL_ERROR (§3.4). While a
    // header block is open (this.continuing), only a CONTINUATION on that stream may come (§6.10).
    // Then by type: SETTINGS, PING, GOAWAY, HEADERS, CONTINUATION to the methods below,
    // PUSH_PROMISE from a client is a PROTOCOL_ERROR, and every other type is ignored (§5.5).
    throw new ConnectionError(ErrorCode.INTERNAL_ERROR, `handle (connection.ts) is not written yet (TODO in the file); received frame type ${frame.type}.`);
  }

  private onSettings(frame: Frame): void {
    // TODO: checkSettingsFrame. An ACK acknowledges ours: count it, stop the timer when none is
    // left, and send nothing. Otherwise applySettings, then write the ACK (§6.5.3).
  }

  /** §6.7: a PING is answered with a PING ACK carrying the same 8 octets; an ACK is not answered. */
  private onPing(frame: Frame): void {
    // TODO: stream 0 only (PROTOCOL_ERROR), exactly 8 octets (FRAME_SIZE_ERROR). Answer a PING with
    // a PING ACK carrying the same 8 octets; never answer a PING ACK.
  }

  /** §6.8: the peer is going away. Nothing is in flight here, so the connection simply ends. */
  private onGoaway(frame: Frame): void {
    // TODO: stream 0 only (PROTOCOL_ERROR), at least 8 octets (FRAME_SIZE_ERROR); then close.
  }

  /** §6.2: a request opens a new stream: odd (client-initiated) and above every earlier one (§5.1.1). */
  private onHeaders(frame: Frame): void {
    // TODO: stream 0, an even stream, or one not above this.lastStreamId: PROTOCOL_ERROR (§5.1.1,
    // §6.2). Remember it as this.lastStreamId. Skip the block; respond now if END_HEADERS is set,
    // or else wait for CONTINUATION frames (this.continuing).
  }

  private onContinuation(frame: Frame): void {
    // TODO: with no header block open: PROTOCOL_ERROR. On END_HEADERS: the block is complete,
    // respond on its stream.
  }

  /** The fixed response: HEADERS (END_HEADERS), then DATA (END_STREAM), both on the request's stream. */
  private respond(streamId: number): void {
    // TODO: HEADERS (END_HEADERS) with RESPONSE_HEADER_BLOCK, then DATA (END_STREAM) with
    // RESPONSE_BODY, both on streamId.
  }

  /** §5.4.1: a connection error: GOAWAY with the last stream we processed and the code, then close. */
  private fail(error: ConnectionError): void {
    // TODO: write a GOAWAY (stream 0) with this.lastStreamId and error.code (§5.4.1), then close.
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

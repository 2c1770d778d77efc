// http2-streams: what every HTTP/2 connection does on stream 0, whatever its streams carry: the
// preface and SETTINGS (with the ACK both ways and its timeout), PING, GOAWAY, and the two kinds
// of errors. A frame handler throws; a StreamError resets one stream (RST_STREAM, §5.4.2) and the
// connection reads on, a ConnectionError ends all of it (GOAWAY, then the close, §5.4.1). This is
// http2-frames' connection, with the streams left to the class that extends it (connection.ts).
// Written for you; it stays as it is.

import type stream from 'node:stream';
import { ConnectionError, FrameReader, FrameType, type Frame } from '../22-http2-frames/frame-reader.ts';
import { encodeFrame, encodeGoaway, encodeSettings } from '../22-http2-frames/frame-writer.ts';
import { ACK, applySettings, checkSettingsFrame, defaultSettings, type PeerSettings } from '../22-http2-frames/settings.ts';
import { H2Code, StreamError } from './stream.ts';

export abstract class Http2Session {
  /** Settles when the socket is closed. */
  readonly closed: Promise<void>;
  protected readonly peerSettings = defaultSettings();
  /** The highest stream handed to the application: GOAWAY's Last-Stream-ID (§6.8). */
  protected lastProcessed = 0;
  /** A GOAWAY went either way: no new streams, and the connection ends when the last one does. */
  protected goingAway = false;
  protected closing = false;
  private readonly reader = new FrameReader(); // we announce no MAX_FRAME_SIZE: 16384 stands
  /** §3.4: the first frame after the client's preface must be SETTINGS. */
  private sawClientSettings = false;
  private unacknowledged = 0;
  private settingsTimer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly socket: stream.Duplex,
    settings: Array<[number, number]>,
    settingsTimeoutMs: number,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.drained());
    socket.on('end', () => this.close());
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    // §3.4: our preface, a SETTINGS frame, sent at once; the client has this long to acknowledge it.
    this.write(encodeFrame(FrameType.SETTINGS, 0, 0, encodeSettings(settings)));
    this.unacknowledged++;
    this.settingsTimer = setTimeout(() => this.fail(new ConnectionError(H2Code.SETTINGS_TIMEOUT, 'Our SETTINGS were never acknowledged.')), settingsTimeoutMs);
  }

  /** §6.8: graceful shutdown. GOAWAY NO_ERROR naming the last stream processed; those finish, then the close. */
  goAway(): Promise<void> {
    if (!this.goingAway && !this.closing) {
      this.goingAway = true;
      this.write(encodeFrame(FrameType.GOAWAY, 0, 0, encodeGoaway(this.lastProcessed, H2Code.NO_ERROR)));
      this.closeIfDone();
    }
    return this.closed;
  }

  /** The frames of the streams (DATA, HEADERS, PRIORITY, RST_STREAM, WINDOW_UPDATE, CONTINUATION). */
  protected abstract onStreamFrame(frame: Frame): void;
  /** The client acknowledged our SETTINGS: they hold from now on. */
  protected abstract settingsAcknowledged(): void;
  /** The client's SETTINGS were applied; `before` is what they were. */
  protected abstract peerSettingsChanged(before: PeerSettings): void;
  /** The socket's buffer emptied: what waited for it may be written. */
  protected abstract drained(): void;
  /** §5.4.2: RST_STREAM with `code`, and the stream closed. */
  protected abstract resetStream(id: number, code: number): void;
  /** Every stream still open learns that the connection is over. */
  protected abstract closeStreams(): void;
  /** After a GOAWAY either way: close once no stream is left. */
  protected abstract closeIfDone(): void;

  private receive(chunk: Buffer): void {
    if (this.closing) return;
    this.reader.push(chunk);
    try {
      for (let frame = this.reader.next(); frame && !this.closing; frame = this.reader.next()) {
        try {
          this.handle(frame);
        } catch (error) {
          if (!(error instanceof StreamError)) throw error;
          console.log(`stream ${error.streamId}: ${error.message}`); // the reason is in no frame: say it here
          this.resetStream(error.streamId, error.code);
        }
      }
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      this.fail(error);
    }
  }

  protected handle(frame: Frame): void {
    if (!this.sawClientSettings && frame.type !== FrameType.SETTINGS) {
      throw new ConnectionError(H2Code.PROTOCOL_ERROR, 'The first frame after the preface must be SETTINGS.');
    }
    switch (frame.type) {
      case FrameType.SETTINGS:
        return this.onSettings(frame);
      case FrameType.PING:
        return this.onPing(frame);
      case FrameType.GOAWAY:
        return this.onGoaway(frame);
      case FrameType.PUSH_PROMISE:
        throw new ConnectionError(H2Code.PROTOCOL_ERROR, 'A client must not send PUSH_PROMISE (§8.4).');
      default:
        return this.onStreamFrame(frame);
    }
  }

  private onSettings(frame: Frame): void {
    checkSettingsFrame(frame);
    this.sawClientSettings = true;
    if (frame.flags & ACK) {
      if (this.unacknowledged > 0 && --this.unacknowledged === 0) clearTimeout(this.settingsTimer);
      return this.settingsAcknowledged();
    }
    const before = { ...this.peerSettings };
    applySettings(frame.payload, this.peerSettings);
    this.peerSettingsChanged(before);
    this.write(encodeFrame(FrameType.SETTINGS, ACK, 0)); // §6.5.3: acknowledge each, at once
  }

  /** §6.7: a PING is answered with a PING ACK carrying the same 8 octets; an ACK is not answered. */
  private onPing(frame: Frame): void {
    if (frame.streamId !== 0) throw new ConnectionError(H2Code.PROTOCOL_ERROR, `PING on stream ${frame.streamId}; it belongs to stream 0.`);
    if (frame.payload.length !== 8) throw new ConnectionError(H2Code.FRAME_SIZE_ERROR, `A PING of ${frame.payload.length} octets; a PING carries 8.`);
    if (!(frame.flags & ACK)) this.write(encodeFrame(FrameType.PING, ACK, 0, frame.payload));
  }

  /** §6.8: the client opens no more streams; the ones in flight finish, then the connection ends. */
  private onGoaway(frame: Frame): void {
    if (frame.streamId !== 0) throw new ConnectionError(H2Code.PROTOCOL_ERROR, `GOAWAY on stream ${frame.streamId}; it belongs to stream 0.`);
    if (frame.payload.length < 8) throw new ConnectionError(H2Code.FRAME_SIZE_ERROR, `A GOAWAY of ${frame.payload.length} octets; it has at least 8.`);
    this.goingAway = true;
    this.closeIfDone();
  }

  /** §5.4.1: a connection error: GOAWAY with the last stream processed and the code, then close. */
  protected fail(error: ConnectionError): void {
    if (this.closing) return;
    console.log(`connection: ${error.message}`);
    this.write(encodeFrame(FrameType.GOAWAY, 0, 0, encodeGoaway(this.lastProcessed, error.code, error.message)));
    this.close();
  }

  /** Ends our side once what is queued is sent; every stream still open learns it is over. */
  protected close(): void {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.settingsTimer);
    this.closeStreams();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Writes a frame; false when the socket's buffer is full (the DATA sender then waits for 'drain'). */
  protected write(bytes: Buffer): boolean {
    if (this.closing || !this.socket.writable) return false;
    return this.socket.write(bytes);
  }
}

// http2-streams: one HTTP/2 connection (RFC 9113), many requests at once. Frames come in on the
// streams they name; each stream's state (stream.ts) decides what a frame may do, and the answer
// to one that breaks a rule: a stream error resets one stream (RST_STREAM, §5.4.2) and the
// connection lives on, a connection error ends all of it (GOAWAY, §5.4.1). Header blocks are
// decoded with your HPACK (every block, in order, even on a stream we ignore: the dynamic table
// must stay in step), requests run through the course's application (exchange.ts), and DATA goes
// both ways within the flow-control windows (flow-control.ts, data-sender.ts).

import type stream from 'node:stream';
import { ConnectionError, FrameType, type Frame } from '../22-http2-frames/frame-reader.ts';
import { encodeFrame } from '../22-http2-frames/frame-writer.ts';
import { Setting, type PeerSettings } from '../22-http2-frames/settings.ts';
import { HpackDecoder, HpackEncoder, HpackError } from '../23-hpack/hpack.ts';
import type { Application } from '../10-keep-alive/connection.ts';
import { DataSender } from './data-sender.ts';
import { serveStream, type StreamWriter } from './exchange.ts';
import { DEFAULT_WINDOW, ReceiveWindow } from './flow-control.ts';
import { parseHeaders, parsePadded, readWindowIncrement, type HeaderBlock } from './frames.ts';
import { MalformedError, requestFromFields, trailersFromFields, type FieldTuple } from './messages.ts';
import { RequestBody, SizedRequestBody } from './request-body.ts';
import { Http2Session } from './session.ts';
import { H2Code, Stream, StreamError, type ClosedBy } from './stream.ts';

const END_STREAM = 0x1;
const END_HEADERS = 0x4;

/** How many closed streams we remember, to answer a late frame on one the right way (§5.1). */
const REMEMBERED_CLOSED = 1000;

export interface Http2Options {
  /** How long to wait for the client's ACK of our SETTINGS before SETTINGS_TIMEOUT (§6.5.3). */
  settingsTimeoutMs: number;
  /** Announced in our SETTINGS; a stream beyond it is refused with RST_STREAM REFUSED_STREAM (§5.1.2). */
  maxConcurrentStreams: number;
  /** Our window for each request body (default 65535), announced as SETTINGS_INITIAL_WINDOW_SIZE. */
  initialWindowSize?: number;
  /** Announced as SETTINGS_MAX_HEADER_LIST_SIZE; a larger request is answered 431 (§10.5.1). */
  maxHeaderListSize?: number;
}

export class Http2Connection extends Http2Session implements StreamWriter {
  private readonly decoder = new HpackDecoder();
  private readonly encoder = new HpackEncoder();
  private readonly sender: DataSender;
  private readonly streams = new Map<number, Stream>();
  private readonly closedStreams = new Map<number, ClosedBy>();
  /** What the client may send on the connection: given back as soon as DATA arrives (see onData). */
  private readonly connectionWindow = new ReceiveWindow();
  /** Our SETTINGS_INITIAL_WINDOW_SIZE in effect: the default until the client acknowledges ours (§6.9.2). */
  private streamWindowSize = DEFAULT_WINDOW;
  /** The highest stream the client opened: a new one must be above it (§5.1.1). */
  private highestStreamId = 0;
  /** A header block in progress (§6.10): nothing but its CONTINUATION frames may come until it ends. */
  private headerBlock: HeaderBlock | undefined;

  constructor(
    socket: stream.Duplex,
    private readonly app: Application,
    private readonly options: Http2Options,
  ) {
    super(socket, ourSettings(options), options.settingsTimeoutMs);
    this.sender = new DataSender(
      (frame) => this.write(frame),
      (s) => this.endedLocally(s),
    );
  }

  protected override handle(frame: Frame): void {
    // §6.10: a header block is a contiguous sequence of frames; nothing may come in between.
    const block = this.headerBlock;
    if (block && (frame.type !== FrameType.CONTINUATION || frame.streamId !== block.streamId)) {
      throw new ConnectionError(H2Code.PROTOCOL_ERROR, `A header block on stream ${block.streamId} was interrupted by a frame of type ${frame.type}.`);
    }
    super.handle(frame);
  }

  protected onStreamFrame(frame: Frame): void {
    switch (frame.type) {
      case FrameType.DATA:
        return this.onData(frame);
      case FrameType.HEADERS:
        return this.onHeaders(frame);
      case FrameType.PRIORITY:
        return this.onPriority(frame);
      case FrameType.RST_STREAM:
        return this.onRstStream(frame);
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(frame);
      case FrameType.CONTINUATION:
        return this.onContinuation(frame);
      default:
        return; // §5.5: frames of an unknown type are ignored
    }
  }

  /**
   * §5.1: the stream a frame names, as one of three: active (open or half-closed), idle (never
   * opened: above every stream the client opened, or even, which only a server opens), or closed.
   */
  private lookup(id: number): Stream | 'idle' | ClosedBy | 'closed' {
    const stream = this.streams.get(id);
    if (stream) return stream;
    if (id > this.highestStreamId || id % 2 === 0) return 'idle';
    // A lower stream never opened was closed by the first use of a higher one (§5.1.1).
    return this.closedStreams.get(id) ?? 'closed';
  }

  private onData(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) throw new ConnectionError(H2Code.PROTOCOL_ERROR, 'DATA on stream 0 (§6.1).');
    const data = parsePadded(frame);
    // §6.9.1: the whole payload counts, padding included. The connection's window is given back at
    // once: each stream's own window bounds what waits unread, and one slow reader must not stall
    // every other stream.
    const flowControlled = frame.payload.length;
    if (!this.connectionWindow.receive(flowControlled)) throw new ConnectionError(H2Code.FLOW_CONTROL_ERROR, 'DATA beyond the connection window (§6.9.1).');
    const increment = this.connectionWindow.release(flowControlled);
    if (increment > 0) this.write(windowUpdate(0, increment));

    const target = this.lookup(id);
    if (target === 'idle') throw new ConnectionError(H2Code.PROTOCOL_ERROR, `DATA on stream ${id}, which is idle (§5.1).`);
    if (target === 'reset-sent') return; // §5.1: frames in flight when we reset it are ignored
    if (target === 'end-stream') throw new ConnectionError(H2Code.STREAM_CLOSED, `DATA on stream ${id}, closed by END_STREAM both ways (§5.1).`);
    if (!(target instanceof Stream)) throw new StreamError(id, H2Code.STREAM_CLOSED, `DATA on stream ${id}, which is closed (§6.1).`);
    const stream = target;
    if (!stream.remoteOpen) throw new StreamError(id, H2Code.STREAM_CLOSED, `DATA on stream ${id} after its END_STREAM (§5.1).`);
    if (!stream.receiveWindow.receive(flowControlled)) {
      throw new StreamError(
        id,
        H2Code.FLOW_CONTROL_ERROR,
        `DATA of ${flowControlled} octets on stream ${id}, whose window is ${stream.receiveWindow.size} (§6.9.1).`,
      );
    }
    stream.received += data.length;
    if (stream.contentLength !== undefined && stream.received > stream.contentLength) {
      throw new StreamError(id, H2Code.PROTOCOL_ERROR, `More DATA than the content-length of ${stream.contentLength} (§8.1.1).`);
    }
    // Padding is nobody's to read: its window comes back now. So does the data once the response
    // is complete: nobody reads the body any more.
    this.releaseStream(stream, flowControlled - data.length);
    if (stream.localOpen) stream.body.push(data);
    else this.releaseStream(stream, data.length);
    if (frame.flags & END_STREAM) this.endOfRequest(stream, []);
  }

  private onHeaders(frame: Frame): void {
    if (frame.streamId === 0) throw new ConnectionError(H2Code.PROTOCOL_ERROR, 'HEADERS on stream 0 (§6.2).');
    this.headerBlock = parseHeaders(frame);
    if (frame.flags & END_HEADERS) this.endOfHeaderBlock();
  }

  private onContinuation(frame: Frame): void {
    const block = this.headerBlock;
    if (!block) throw new ConnectionError(H2Code.PROTOCOL_ERROR, `CONTINUATION on stream ${frame.streamId} with no header block in progress (§6.10).`);
    block.fragments.push(frame.payload);
    block.size += frame.payload.length;
    // A header block is held whole until it ends: bound it, or CONTINUATION frames could fill memory.
    if (block.size > 256 * 1024) throw new ConnectionError(H2Code.ENHANCE_YOUR_CALM, 'A header block over 256 KiB.');
    if (frame.flags & END_HEADERS) this.endOfHeaderBlock();
  }

  /** A whole header block: a new request, or a request's trailers. */
  private endOfHeaderBlock(): void {
    const { streamId: id, fragments, endStream, dependsOnItself } = this.headerBlock!;
    this.headerBlock = undefined;
    let fields: FieldTuple[];
    try {
      fields = this.decoder.decode(Buffer.concat(fragments));
    } catch (error) {
      // RFC 9113 §4.3: a block that does not decode leaves the tables out of step: the connection ends.
      if (error instanceof HpackError) throw new ConnectionError(H2Code.COMPRESSION_ERROR, error.message);
      throw error;
    }
    const target = this.lookup(id);
    if (target instanceof Stream) return this.onTrailers(target, fields, endStream);
    if (target === 'reset-sent') return;
    if (target === 'reset-received') throw new StreamError(id, H2Code.STREAM_CLOSED, `HEADERS on stream ${id} after the client reset it (§5.1).`);
    if (target === 'end-stream') throw new ConnectionError(H2Code.STREAM_CLOSED, `HEADERS on stream ${id}, closed by END_STREAM both ways (§5.1).`);
    if (target === 'closed') throw new ConnectionError(H2Code.PROTOCOL_ERROR, `HEADERS on stream ${id}, not above ${this.highestStreamId} (§5.1.1).`);
    // idle: a new stream, odd (client-initiated), above every earlier one (§5.1.1).
    if (id % 2 === 0) throw new ConnectionError(H2Code.PROTOCOL_ERROR, `HEADERS on stream ${id}: clients open odd streams (§5.1.1).`);
    this.highestStreamId = id;
    if (this.goingAway) return; // §6.8: a stream above our GOAWAY's last-stream-id is not processed
    if (dependsOnItself) throw new StreamError(id, H2Code.PROTOCOL_ERROR, `Stream ${id} depends on itself (§5.3.1).`);
    if (this.streams.size >= this.options.maxConcurrentStreams) {
      throw new StreamError(id, H2Code.REFUSED_STREAM, `Stream ${id} is over SETTINGS_MAX_CONCURRENT_STREAMS ${this.options.maxConcurrentStreams} (§5.1.2).`);
    }
    let message;
    try {
      message = requestFromFields(fields);
    } catch (error) {
      if (error instanceof MalformedError) throw new StreamError(id, H2Code.PROTOCOL_ERROR, error.message);
      throw error;
    }
    const consumed = (octets: number) => this.releaseStream(stream, octets);
    const body = message.contentLength === undefined ? new RequestBody(consumed) : new SizedRequestBody(consumed, message.contentLength);
    const stream = new Stream(id, this.peerSettings.initialWindowSize, this.streamWindowSize, body, message.contentLength);
    this.streams.set(id, stream);
    this.lastProcessed = id;
    if (endStream) this.endOfRequest(stream, []);
    const limit = this.options.maxHeaderListSize;
    const size = fields.reduce((sum, [name, value]) => sum + name.length + value.length + 32, 0); // §6.5.2
    const app = limit !== undefined && size > limit ? tooLarge : this.app;
    void serveStream(app, stream, message.head, this);
  }

  /** §8.1: a second HEADERS on an open stream is its trailers: END_STREAM, and no pseudo-headers. */
  private onTrailers(stream: Stream, fields: FieldTuple[], endStream: boolean): void {
    if (!stream.remoteOpen) throw new StreamError(stream.id, H2Code.STREAM_CLOSED, `HEADERS on stream ${stream.id} after its END_STREAM (§5.1).`);
    if (!endStream) throw new StreamError(stream.id, H2Code.PROTOCOL_ERROR, `A second HEADERS on stream ${stream.id} without END_STREAM (§8.1).`);
    try {
      this.endOfRequest(stream, trailersFromFields(fields));
    } catch (error) {
      if (error instanceof MalformedError) throw new StreamError(stream.id, H2Code.PROTOCOL_ERROR, error.message);
      throw error;
    }
  }

  /** END_STREAM from the client: the body is complete, and must add up to its content-length (§8.1.1). */
  private endOfRequest(stream: Stream, trailers: ReturnType<typeof trailersFromFields>): void {
    if (stream.contentLength !== undefined && stream.received !== stream.contentLength) {
      throw new StreamError(stream.id, H2Code.PROTOCOL_ERROR, `${stream.received} octets of DATA, but content-length ${stream.contentLength} (§8.1.1).`);
    }
    stream.body.end(trailers);
    stream.endRemote();
    this.settle(stream);
  }

  /** §6.3: PRIORITY is allowed on a stream in any state; this server does not prioritize, only checks it. */
  private onPriority(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) throw new ConnectionError(H2Code.PROTOCOL_ERROR, 'PRIORITY on stream 0 (§6.3).');
    if (frame.payload.length !== 5) throw new StreamError(id, H2Code.FRAME_SIZE_ERROR, `A PRIORITY of ${frame.payload.length} octets; it has 5 (§6.3).`);
    if ((frame.payload.readUInt32BE(0) & 0x7fffffff) === id) throw new StreamError(id, H2Code.PROTOCOL_ERROR, `Stream ${id} depends on itself (§5.3.1).`);
  }

  /** §6.4: the client ends a stream at once. */
  private onRstStream(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) throw new ConnectionError(H2Code.PROTOCOL_ERROR, 'RST_STREAM on stream 0 (§6.4).');
    if (frame.payload.length !== 4) throw new ConnectionError(H2Code.FRAME_SIZE_ERROR, `A RST_STREAM of ${frame.payload.length} octets; it has 4 (§6.4).`);
    const target = this.lookup(id);
    if (target === 'idle') throw new ConnectionError(H2Code.PROTOCOL_ERROR, `RST_STREAM on stream ${id}, which is idle (§6.4).`);
    if (!(target instanceof Stream)) return; // closed already: it may cross our END_STREAM or RST_STREAM
    target.reset('reset-received');
    this.settle(target);
  }

  /** §6.9: the client makes room, on the connection (stream 0) or on one stream. */
  private onWindowUpdate(frame: Frame): void {
    const id = frame.streamId;
    const increment = readWindowIncrement(frame);
    if (id === 0) {
      if (increment === 0) throw new ConnectionError(H2Code.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the connection (§6.9).');
      if (!this.sender.window.grow(increment)) throw new ConnectionError(H2Code.FLOW_CONTROL_ERROR, 'The connection window went past 2^31-1 (§6.9.1).');
      return this.sender.pump();
    }
    const target = this.lookup(id);
    if (target === 'idle') throw new ConnectionError(H2Code.PROTOCOL_ERROR, `WINDOW_UPDATE on stream ${id}, which is idle (§5.1).`);
    if (!(target instanceof Stream)) return; // §6.9: it may arrive after we ended the stream
    if (increment === 0) throw new StreamError(id, H2Code.PROTOCOL_ERROR, `WINDOW_UPDATE of 0 on stream ${id} (§6.9).`);
    if (!target.sendWindow.grow(increment)) throw new StreamError(id, H2Code.FLOW_CONTROL_ERROR, `The window of stream ${id} went past 2^31-1 (§6.9.1).`);
    this.sender.pump();
  }

  /** §6.9.2: our INITIAL_WINDOW_SIZE holds from the client's ACK on, for the open streams too. */
  protected settingsAcknowledged(): void {
    const window = this.options.initialWindowSize ?? DEFAULT_WINDOW;
    for (const stream of this.streams.values()) stream.receiveWindow.retarget(window);
    this.streamWindowSize = window;
  }

  protected peerSettingsChanged(before: PeerSettings): void {
    // §6.9.2: a new INITIAL_WINDOW_SIZE moves the window of every open stream by the difference.
    const delta = this.peerSettings.initialWindowSize - before.initialWindowSize;
    for (const stream of this.streams.values()) {
      if (!stream.sendWindow.adjust(delta))
        throw new ConnectionError(H2Code.FLOW_CONTROL_ERROR, `The window of stream ${stream.id} went past 2^31-1 (§6.9.2).`);
    }
    this.sender.maxFrameSize = this.peerSettings.maxFrameSize;
    // RFC 7541 §4.2: the client's decoder allows this much table; we use at most the default.
    const tableSize = Math.min(this.peerSettings.headerTableSize, 4096);
    if (tableSize !== this.encoder.maxTableSize) this.encoder.maxTableSize = tableSize;
    queueMicrotask(() => this.sender.pump()); // after the ACK: what the new windows allow
  }

  protected drained(): void {
    this.sender.drained();
  }

  // StreamWriter: what exchange.ts writes with.

  writeHeaders(stream: Stream, fields: FieldTuple[], end: boolean): void {
    if (!stream.localOpen || this.closing) return;
    // Encoded and written in one step: the client decodes blocks in the order they go out.
    const block = this.encoder.encode(fields);
    const max = this.peerSettings.maxFrameSize;
    let at = 0;
    do {
      const piece = block.subarray(at, at + max);
      const type = at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
      at += piece.length;
      const flags = (at >= block.length ? END_HEADERS : 0) | (type === FrameType.HEADERS && end ? END_STREAM : 0);
      this.write(encodeFrame(type, flags, stream.id, piece));
    } while (at < block.length);
    if (end) this.endedLocally(stream);
  }

  sendData(stream: Stream, data: Buffer, end: boolean): Promise<void> {
    if (!stream.localOpen || this.closing) return Promise.reject(new Error(`Stream ${stream.id} is closed.`));
    return this.sender.send(stream, data, end);
  }

  reset(stream: Stream, code: number): void {
    this.resetStream(stream.id, code);
  }

  /** §5.4.2: a stream error. RST_STREAM with the code; the stream is closed, the connection goes on. */
  protected resetStream(id: number, code: number): void {
    const rst = Buffer.alloc(4);
    rst.writeUInt32BE(code);
    this.write(encodeFrame(FrameType.RST_STREAM, 0, id, rst));
    const stream = this.streams.get(id);
    if (stream) {
      stream.reset('reset-sent');
      this.settle(stream);
    } else {
      this.remember(id, 'reset-sent');
    }
  }

  /** We sent END_STREAM. A body the client is still sending will not be read: its window comes back as it arrives. */
  private endedLocally(stream: Stream): void {
    stream.endLocal();
    if (stream.remoteOpen) this.releaseStream(stream, stream.body.discard());
    this.settle(stream);
  }

  /** A stream that reached "closed" leaves the active ones; its late frames are judged by how it closed. */
  private settle(stream: Stream): void {
    if (stream.state !== 'closed' || !this.streams.has(stream.id)) return;
    this.streams.delete(stream.id);
    this.remember(stream.id, stream.closedBy!);
    const error = new Error(`Stream ${stream.id} was reset.`);
    this.sender.cancel(stream, error);
    stream.body.fail(error); // a handler still reading the body learns it will not come
    this.closeIfDone();
  }

  private remember(id: number, how: ClosedBy): void {
    this.closedStreams.set(id, how);
    if (this.closedStreams.size > REMEMBERED_CLOSED) this.closedStreams.delete(this.closedStreams.keys().next().value!);
  }

  /** `octets` of a stream's DATA left our hands: WINDOW_UPDATE once enough is owed, while the client still sends. */
  private releaseStream(stream: Stream, octets: number): void {
    if (octets === 0) return;
    const increment = stream.receiveWindow.release(octets);
    if (increment > 0 && stream.remoteOpen && this.streams.has(stream.id)) this.write(windowUpdate(stream.id, increment));
  }

  protected closeIfDone(): void {
    if (this.goingAway && this.streams.size === 0) this.close();
  }

  protected closeStreams(): void {
    for (const stream of [...this.streams.values()]) {
      stream.reset('reset-sent');
      this.settle(stream);
    }
  }
}

/** §3.4: what our preface SETTINGS announce: the limits we keep. */
function ourSettings(options: Http2Options): Array<[number, number]> {
  const settings: Array<[number, number]> = [[Setting.MAX_CONCURRENT_STREAMS, options.maxConcurrentStreams]];
  const window = options.initialWindowSize;
  if (window !== undefined && window !== DEFAULT_WINDOW) settings.push([Setting.INITIAL_WINDOW_SIZE, window]);
  if (options.maxHeaderListSize !== undefined) settings.push([Setting.MAX_HEADER_LIST_SIZE, options.maxHeaderListSize]);
  return settings;
}

/** §6.9: a WINDOW_UPDATE frame. */
function windowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment);
  return encodeFrame(FrameType.WINDOW_UPDATE, 0, streamId, payload);
}

/** The application for a request whose header list is over our SETTINGS_MAX_HEADER_LIST_SIZE. */
const tooLarge: Application = {
  match: (method, path) => ({
    method,
    path,
    handler: () => ({ status: 431, headers: [['Content-Type', 'text/plain; charset=utf-8']], body: 'The header list is too large.\n' }),
  }),
};

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
    // TODO: a stream in this.streams is active. An odd id above this.highestStreamId, or any even
    //       id (a server's, and we open none), is 'idle'. Any other was closed: how it closed is
    //       in this.closedStreams ('closed' if it is not there: a lower id never used, §5.1.1).
    void id;
    return 'idle';
  }

  private onData(frame: Frame): void {
    // TODO (§6.1, §6.9, §5.1): stream 0 → PROTOCOL_ERROR. parsePadded. The whole payload counts
    //       against the connection window (FLOW_CONTROL_ERROR beyond it), given back at once
    //       (WINDOW_UPDATE on stream 0 when release() says so). Then by lookup(): idle →
    //       ConnectionError(PROTOCOL_ERROR); reset by us → ignore; closed by END_STREAM both ways →
    //       ConnectionError(STREAM_CLOSED); reset by the client, or closed → StreamError(STREAM_CLOSED);
    //       an active stream whose client half ended → StreamError(STREAM_CLOSED). Else: the
    //       stream's window (StreamError FLOW_CONTROL_ERROR beyond it), count the data against
    //       content-length (more is malformed: PROTOCOL_ERROR), give the padding's window back,
    //       push the data to the body (or give its window back if the response is complete), and
    //       END_STREAM ends the request (endOfRequest).
    throw new ConnectionError(
      H2Code.INTERNAL_ERROR,
      `onData (connection.ts) is not written yet (TODO in the file); received DATA on stream ${frame.streamId}.`,
    );
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
    // TODO: decode the block (every block, whatever happens next: the dynamic table must stay in
    //       step; an HpackError is a ConnectionError(COMPRESSION_ERROR), §4.3). Then by lookup():
    //       an active stream → onTrailers; reset by us → ignore; reset by the client →
    //       StreamError(STREAM_CLOSED); closed by END_STREAM → ConnectionError(STREAM_CLOSED);
    //       'closed' → ConnectionError(PROTOCOL_ERROR) (§5.1.1). Idle: an even id is a
    //       PROTOCOL_ERROR; the id is the new highestStreamId; after a GOAWAY, ignore it; then a
    //       stream that depends on itself, one over maxConcurrentStreams (REFUSED_STREAM) and a
    //       malformed request (requestFromFields throws MalformedError) are stream errors. Else
    //       open it: a body (SizedRequestBody with a content-length) whose consumed pieces give
    //       window back (releaseStream), a Stream with the client's INITIAL_WINDOW_SIZE and ours,
    //       lastProcessed, endOfRequest if END_STREAM, and serveStream (tooLarge past
    //       maxHeaderListSize).
    void this.decoder;
    void HpackError;
    void MalformedError;
    void requestFromFields;
    void RequestBody;
    void SizedRequestBody;
    void serveStream;
    void tooLarge;
    void this.app;
    throw new ConnectionError(
      H2Code.INTERNAL_ERROR,
      `endOfHeaderBlock (connection.ts) is not written yet (TODO in the file); received a header block on stream ${this.headerBlock?.streamId}.`,
    );
  }

  /** §8.1: a second HEADERS on an open stream is its trailers: END_STREAM, and no pseudo-headers. */
  private onTrailers(stream: Stream, fields: FieldTuple[], endStream: boolean): void {
    // TODO (§8.1): after the client's END_STREAM → StreamError(STREAM_CLOSED); without END_STREAM →
    //       StreamError(PROTOCOL_ERROR); else endOfRequest with trailersFromFields (a MalformedError
    //       is a StreamError(PROTOCOL_ERROR)).
    void trailersFromFields;
    void fields;
    void endStream;
    throw new StreamError(stream.id, H2Code.INTERNAL_ERROR, 'onTrailers (connection.ts) is not written yet (TODO in the file).');
  }

  /** END_STREAM from the client: the body is complete, and must add up to its content-length (§8.1.1). */
  private endOfRequest(stream: Stream, trailers: ReturnType<typeof trailersFromFields>): void {
    // TODO: DATA that does not add up to the content-length is malformed (StreamError
    //       PROTOCOL_ERROR, §8.1.1). Else end the body with the trailers, end the client's half, settle.
    void stream;
    void trailers;
  }

  /** §6.3: PRIORITY is allowed on a stream in any state; this server does not prioritize, only checks it. */
  private onPriority(frame: Frame): void {
    // TODO (§6.3): stream 0 → ConnectionError(PROTOCOL_ERROR); not 5 octets → StreamError(FRAME_SIZE_ERROR);
    //       a dependency on itself → StreamError(PROTOCOL_ERROR) (§5.3.1). Otherwise nothing to do.
    void frame;
  }

  /** §6.4: the client ends a stream at once. */
  private onRstStream(frame: Frame): void {
    // TODO (§6.4): stream 0 → PROTOCOL_ERROR; not 4 octets → FRAME_SIZE_ERROR; idle → PROTOCOL_ERROR
    //       (connection errors). An active stream is reset ('reset-received') and settled; a closed
    //       one needs nothing.
    void frame;
  }

  /** §6.9: the client makes room, on the connection (stream 0) or on one stream. */
  private onWindowUpdate(frame: Frame): void {
    // TODO (§6.9): readWindowIncrement. Stream 0: 0 → ConnectionError(PROTOCOL_ERROR), past 2^31-1 →
    //       ConnectionError(FLOW_CONTROL_ERROR), else grow this.sender.window. A stream: idle →
    //       ConnectionError(PROTOCOL_ERROR); closed → ignore; 0 → StreamError(PROTOCOL_ERROR); past
    //       2^31-1 → StreamError(FLOW_CONTROL_ERROR); else grow its sendWindow. Then pump().
    void readWindowIncrement;
    void frame;
  }

  /** §6.9.2: our INITIAL_WINDOW_SIZE holds from the client's ACK on, for the open streams too. */
  protected settingsAcknowledged(): void {
    // TODO (§6.9.2): our INITIAL_WINDOW_SIZE (options.initialWindowSize, default DEFAULT_WINDOW)
    //       now holds: retarget every open stream's receive window, and keep it for new streams.
  }

  protected peerSettingsChanged(before: PeerSettings): void {
    // TODO (§6.9.2): move every open stream's send window by the change of the client's
    //       INITIAL_WINDOW_SIZE (FLOW_CONTROL_ERROR past 2^31-1); take its MAX_FRAME_SIZE for the
    //       sender, and its HEADER_TABLE_SIZE (at most 4096) for the encoder; then let the sender
    //       send what the new windows allow.
    void before;
  }

  protected drained(): void {
    this.sender.drained();
  }

  // StreamWriter: what exchange.ts writes with.

  writeHeaders(stream: Stream, fields: FieldTuple[], end: boolean): void {
    // TODO: encode the fields once (HpackEncoder), then HEADERS with as much of the block as fits
    //       the client's MAX_FRAME_SIZE and CONTINUATION frames with the rest, END_HEADERS on the
    //       last, END_STREAM (on the HEADERS frame) if `end`; then, if `end`, endedLocally.
    void this.encoder;
    void fields;
    void end;
    void stream;
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
    // TODO (§6.4): write RST_STREAM (4 octets: the code) on the stream; an active stream is reset
    //       ('reset-sent') and settled, and any other remembered as 'reset-sent'.
    void id;
    void code;
  }

  /** We sent END_STREAM. A body the client is still sending will not be read: its window comes back as it arrives. */
  private endedLocally(stream: Stream): void {
    // TODO: end our half of the stream; if the client still sends, nobody will read the body: give
    //       back the window of what it holds (body.discard()). Then settle.
    void stream;
  }

  /** A stream that reached "closed" leaves the active ones; its late frames are judged by how it closed. */
  private settle(stream: Stream): void {
    // TODO: a closed stream leaves this.streams and is remembered with how it closed; what it
    //       still had to send is cancelled, its body fails, and closeIfDone.
    void stream;
    void this.remember;
  }

  private remember(id: number, how: ClosedBy): void {
    this.closedStreams.set(id, how);
    if (this.closedStreams.size > REMEMBERED_CLOSED) this.closedStreams.delete(this.closedStreams.keys().next().value!);
  }

  /** `octets` of a stream's DATA left our hands: WINDOW_UPDATE once enough is owed, while the client still sends. */
  private releaseStream(stream: Stream, octets: number): void {
    // TODO: the stream's receive window releases `octets`; send WINDOW_UPDATE with the increment
    //       it returns, if any, while the client may still send on the stream.
    void stream;
    void octets;
    void windowUpdate;
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

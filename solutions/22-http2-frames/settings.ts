// http2-frames: the SETTINGS frame (RFC 9113 §6.5): checked, then read into the peer's settings.

import { ConnectionError, ErrorCode, type Frame } from './frame-reader.ts';

/** §6.5.2: the settings defined so far, by identifier. */
export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** SETTINGS flag 0x01: this frame acknowledges the peer's SETTINGS and carries none. */
export const ACK = 0x1;

/** The values a peer has announced, starting from the defaults of §6.5.2. */
export interface PeerSettings {
  headerTableSize: number;
  enablePush: boolean;
  maxConcurrentStreams: number;
  initialWindowSize: number;
  maxFrameSize: number;
  maxHeaderListSize: number;
}

export function defaultSettings(): PeerSettings {
  return {
    headerTableSize: 4096,
    enablePush: true,
    maxConcurrentStreams: Infinity,
    initialWindowSize: 65535,
    maxFrameSize: 16384,
    maxHeaderListSize: Infinity,
  };
}

/** §6.5: the frame's shape, whether it is an ACK or not. Throws ConnectionError. */
export function checkSettingsFrame(frame: Frame): void {
  if (frame.streamId !== 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS on stream ${frame.streamId}; it belongs to stream 0.`);
  if (frame.flags & ACK && frame.payload.length !== 0) {
    throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `A SETTINGS ACK with ${frame.payload.length} octets of payload; an ACK is empty.`);
  }
  if (frame.payload.length % 6 !== 0) {
    throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `A SETTINGS payload of ${frame.payload.length} octets, not a multiple of 6.`);
  }
}

/**
 * Applies each setting of a (checked, non-ACK) SETTINGS payload to `settings`, in order (§6.5.3:
 * values are processed in the order they appear). Throws ConnectionError on a value out of range.
 */
export function applySettings(payload: Buffer, settings: PeerSettings): void {
  for (let offset = 0; offset < payload.length; offset += 6) {
    const id = payload.readUInt16BE(offset);
    const value = payload.readUInt32BE(offset + 2);
    switch (id) {
      case Setting.HEADER_TABLE_SIZE:
        settings.headerTableSize = value;
        break;
      case Setting.ENABLE_PUSH:
        if (value > 1) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH is ${value}; only 0 and 1 are allowed.`);
        settings.enablePush = value === 1;
        break;
      case Setting.MAX_CONCURRENT_STREAMS:
        settings.maxConcurrentStreams = value;
        break;
      case Setting.INITIAL_WINDOW_SIZE:
        // A window is at most 2^31-1 octets (§6.9.1); a larger initial one is a flow-control error.
        if (value > 2 ** 31 - 1) throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE is ${value}, above 2^31-1.`);
        settings.initialWindowSize = value;
        break;
      case Setting.MAX_FRAME_SIZE:
        if (value < 2 ** 14 || value > 2 ** 24 - 1) {
          throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE is ${value}, outside 16384…16777215.`);
        }
        settings.maxFrameSize = value;
        break;
      case Setting.MAX_HEADER_LIST_SIZE:
        settings.maxHeaderListSize = value;
        break;
      default:
        // §6.5.2: an unknown or unsupported identifier MUST be ignored.
        break;
    }
  }
}

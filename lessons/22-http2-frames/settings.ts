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
  // TODO: on a stream other than 0: PROTOCOL_ERROR. An ACK with a payload: FRAME_SIZE_ERROR. A
  // payload whose length is not a multiple of 6: FRAME_SIZE_ERROR.
}

/**
 * Applies each setting of a (checked, non-ACK) SETTINGS payload to `settings`, in order (§6.5.3:
 * values are processed in the order they appear). Throws ConnectionError on a value out of range.
 */
export function applySettings(payload: Buffer, settings: PeerSettings): void {
  // TODO: 6 octets at a time: a 16-bit identifier and a 32-bit value (unsigned). Check the values
  // with ranges (§6.5.2): ENABLE_PUSH 0 or 1 (else PROTOCOL_ERROR), INITIAL_WINDOW_SIZE at most
  // 2^31-1 (else FLOW_CONTROL_ERROR), MAX_FRAME_SIZE from 2^14 to 2^24-1 (else PROTOCOL_ERROR).
  // Keep each value in `settings`, and ignore identifiers you do not know.
}

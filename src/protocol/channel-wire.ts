// The numbers that define protocol version 1 on the wire: message kinds, field sizes,
// padding buckets, rekey limits and labels (docs/protocol.md §2–4). Every layout module
// reads its offsets from here so the spec has one source in code.

export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

export const MESSAGE_KIND = { clientHello: 0x01, serverHello: 0x02, frame: 0x03 } as const;
export type MessageKind = (typeof MESSAGE_KIND)[keyof typeof MESSAGE_KIND];

export const DIRECTION = { clientToServer: 0x01, serverToClient: 0x02 } as const;
export type Direction = (typeof DIRECTION)[keyof typeof DIRECTION];

export const X25519_KEY_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SECRET_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const HANDSHAKE_NONCE_BYTES = 32;
export const SESSION_ID_BYTES = 16;
export const ATTESTATION_HASH_BYTES = 32;
export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;

/** The two bytes every wire message opens with: version, kind. */
export const MESSAGE_PREFIX_BYTES = 2;

/** Padded plaintext sizes (§4.1): every single-order command and every execution report share the 1024-byte bucket. */
export const PADDING_BUCKETS_BYTES: readonly number[] = [1024, 4096, 16384];
export const PAYLOAD_LENGTH_PREFIX_BYTES = 4;
export const MAX_PAYLOAD_BYTES = PADDING_BUCKETS_BYTES[PADDING_BUCKETS_BYTES.length - 1]! - PAYLOAD_LENGTH_PREFIX_BYTES;
/** The largest message that still travels in the smallest bucket; single-order commands and reports must fit it. */
export const SMALL_MESSAGE_MAX_BYTES = PADDING_BUCKETS_BYTES[0]! - PAYLOAD_LENGTH_PREFIX_BYTES;

export const FRAME_HEADER_BYTES = 31;
export const MAX_FRAME_BYTES = FRAME_HEADER_BYTES + PADDING_BUCKETS_BYTES[PADDING_BUCKETS_BYTES.length - 1]! + AEAD_TAG_BYTES;

/** Rekey interval (§4.3): 2^20 frames of at most 16 KiB keep a key under 2^30 AES blocks. */
export const DEFAULT_FRAMES_PER_EPOCH = 2 ** 20;
export const MAX_FRAMES_PER_EPOCH = 2 ** 24;
/** Epochs are u32 on the wire; the last one ends the session. */
export const MAX_EPOCH = 2 ** 32 - 1;

export const LABELS = {
  clientTranscript: 'darkpool-channel/v1 client transcript',
  serverTranscript: 'darkpool-channel/v1 server transcript',
  helloKey: 'darkpool-channel/v1 hello',
  trafficKeys: 'darkpool-channel/v1 traffic keys',
  rekey: 'darkpool-channel/v1 rekey',
} as const;

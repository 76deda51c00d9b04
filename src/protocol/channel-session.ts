// The record layer both sides run once the handshake is done (docs/protocol.md §4): pad,
// seal and stamp frames; check, open and unpad them in strict sequence; rekey at the epoch
// boundary; pack several messages into one frame (§5.1). It is written once over an injected
// AEAD so the enclave (node:crypto) and the client (@noble) cannot drift apart in sequencing,
// rekeying, padding or packing.
import { bytesEqual, copyBytes, writeU32 } from './bytes.js';
import { channelError, type ChannelFaultTable } from './channel-faults.js';
import {
  AEAD_TAG_BYTES, DIRECTION, FRAME_HEADER_BYTES, MAX_EPOCH, MAX_FRAMES_PER_EPOCH, MAX_PAYLOAD_BYTES, PAYLOAD_LENGTH_PREFIX_BYTES, PROTOCOL_VERSION,
  SESSION_ID_BYTES, type Direction,
} from './channel-wire.js';
import { decodeFrameHeader, encodeFrameHeader, frameByteLength, frameNonce } from './frame-header.js';
import {
  decodeMessage, decodeMessages, encodeMessageText, MESSAGE_LIMITS, packedMessagesText, utf8ByteLength, type ChannelMessage, type OutgoingMessage,
} from './message-codec.js';
import { requireBucket, unpadPayload } from './padding.js';

const utf8Encoder = new TextEncoder();
/** Where a frame's padded plaintext (and then its ciphertext) starts, and where its payload does. */
const PADDED_AT = FRAME_HEADER_BYTES;
const PAYLOAD_AT = FRAME_HEADER_BYTES + PAYLOAD_LENGTH_PREFIX_BYTES;

/** AES-256-GCM and the rekey HKDF, as one side implements them over its own key type. */
export interface FrameCipher<Key> {
  /**
   * Writes ciphertext then the 16-byte tag into out, whose length is padded.length + 16.
   * `out` may begin at the same bytes as `padded` (the session pads inside the frame).
   */
  seal(key: Key, nonce: Uint8Array, associatedData: Uint8Array, padded: Uint8Array, out: Uint8Array): void;
  /** The plaintext in a buffer the session may keep, or undefined when the body does not authenticate. */
  open(key: Key, nonce: Uint8Array, associatedData: Uint8Array, body: Uint8Array): Uint8Array | undefined;
  /** key[e+1] = HKDF-SHA256(key[e], empty salt, "darkpool-channel/v1 rekey", 32). Leaves the old key intact. */
  nextKey(key: Key): Key;
  /** Forgets a key, wiping its bytes where the implementation can. */
  destroyKey(key: Key): void;
  /**
   * Optional: memory for one frame that need not be zeroed (node's pooled Buffer.allocUnsafe
   * saves a zero-filled allocation per frame); the session writes every byte of it. Such a
   * frame may be a view into a shared pool: copy it, never transfer its buffer.
   */
  allocateFrame?(byteLength: number): Uint8Array;
}

export interface ChannelSessionInit<Key> {
  readonly cipher: FrameCipher<Key>;
  readonly faults: ChannelFaultTable;
  readonly sessionId: Uint8Array;
  /** The direction this side sends in; it receives in the other. */
  readonly sendDirection: Direction;
  readonly sendKey: Key;
  readonly receiveKey: Key;
  readonly framesPerEpoch: number;
  readonly peerIdentityPublicKey: Uint8Array;
  /** The last usable epoch; the protocol's is 2^32 − 1, lowered only to test exhaustion. */
  readonly maxEpoch?: number;
}

/** One direction's position: the key of the current epoch and the next frame's counter. */
interface DirectionState<Key> {
  key: Key | undefined;
  epoch: number;
  counter: number;
}

export class ChannelSession<Key> {
  readonly sessionId: Uint8Array;
  protected readonly peerIdentity: Uint8Array;
  readonly #cipher: FrameCipher<Key>;
  readonly #faults: ChannelFaultTable;
  readonly #sendDirection: Direction;
  readonly #receiveDirection: Direction;
  readonly #framesPerEpoch: number;
  readonly #maxEpoch: number;
  readonly #send: DirectionState<Key>;
  readonly #receive: DirectionState<Key>;
  #closed = false;

  constructor(init: ChannelSessionInit<Key>) {
    const maxEpoch = init.maxEpoch ?? MAX_EPOCH;
    if (init.sessionId.length !== SESSION_ID_BYTES) throw new Error('ChannelSession: session id must be 16 bytes');
    if (!Number.isInteger(init.framesPerEpoch) || init.framesPerEpoch < 1 || init.framesPerEpoch > MAX_FRAMES_PER_EPOCH) throw new Error('ChannelSession: framesPerEpoch out of range');
    if (!Number.isInteger(maxEpoch) || maxEpoch < 0 || maxEpoch > MAX_EPOCH) throw new Error('ChannelSession: maxEpoch out of range');
    this.sessionId = copyBytes(init.sessionId);
    this.peerIdentity = copyBytes(init.peerIdentityPublicKey);
    this.#cipher = init.cipher;
    this.#faults = init.faults;
    this.#sendDirection = init.sendDirection;
    this.#receiveDirection = init.sendDirection === DIRECTION.clientToServer ? DIRECTION.serverToClient : DIRECTION.clientToServer;
    this.#framesPerEpoch = init.framesPerEpoch;
    this.#maxEpoch = maxEpoch;
    this.#send = { key: init.sendKey, epoch: 0, counter: 0 };
    this.#receive = { key: init.receiveKey, epoch: 0, counter: 0 };
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Pads, seals and frames one payload of at most 16380 bytes. */
  seal(plaintext: Uint8Array): Uint8Array {
    const key = this.#usableKey(this.#send);
    const frame = this.#newFrame(plaintext.length);
    frame.set(plaintext, PAYLOAD_AT);
    return this.#sealFrame(key, frame);
  }

  /** Encodes a message straight into the padded plaintext of its frame, then seals it. */
  sealMessage(message: OutgoingMessage): Uint8Array {
    return this.sealMessageText(encodeMessageText(message, this.#faults));
  }

  /**
   * Seals a message already encoded by encodeMessageText, so one message going to several
   * sessions is checked and serialized once.
   */
  sealMessageText(text: string): Uint8Array {
    const key = this.#usableKey(this.#send);
    const frame = this.#frameForText(text);
    if (frame === undefined) throw channelError(this.#faults, 'PAYLOAD_TOO_LARGE', `${utf8ByteLength(text)} bytes, at most ${MAX_PAYLOAD_BYTES}`);
    return this.#sealFrame(key, frame);
  }

  /**
   * Seals messages in order into as few frames as hold them: consecutive messages share a
   * packed frame (docs/protocol.md §5.1) up to MAX_PAYLOAD_BYTES and
   * MESSAGE_LIMITS.maxMessagesPerFrame; a message alone in its frame travels as itself.
   */
  sealMessages(messages: readonly OutgoingMessage[]): Uint8Array[] {
    return this.sealMessageTexts(messages.map((message) => encodeMessageText(message, this.#faults)));
  }

  /**
   * sealMessages for texts already encoded by encodeMessageText. Every text is measured
   * before any frame is sealed, so a text too large for a frame (PAYLOAD_TOO_LARGE) consumes
   * no sequence number.
   */
  sealMessageTexts(texts: readonly string[]): Uint8Array[] {
    this.#usableKey(this.#send);
    // A UTF-16 code unit takes at most 3 UTF-8 bytes: only long texts need counting.
    for (const text of texts) {
      const length = text.length * 3 > MAX_PAYLOAD_BYTES ? utf8ByteLength(text) : text.length;
      if (length > MAX_PAYLOAD_BYTES) throw channelError(this.#faults, 'PAYLOAD_TOO_LARGE', `${length} bytes, at most ${MAX_PAYLOAD_BYTES}`);
    }
    const frames: Uint8Array[] = [];
    // Grouped by characters, exact for the usual ASCII; a group whose UTF-8 turns out larger
    // than a frame is grouped again by its exact byte lengths, which always fit.
    for (const group of packedGroups(texts, (text) => text.length)) {
      let frame = this.#frameForText(group.text);
      if (frame !== undefined) {
        frames.push(this.#sealFrame(this.#usableKey(this.#send), frame));
        continue;
      }
      for (const exact of packedGroups(group.texts, utf8ByteLength)) {
        frame = this.#frameForText(exact.text);
        if (frame === undefined) throw new Error('assertion: a group of exact UTF-8 lengths did not fit a frame');
        frames.push(this.#sealFrame(this.#usableKey(this.#send), frame));
      }
    }
    return frames;
  }

  /** Checks, opens and unpads the next frame from the peer; a rejected frame changes nothing. */
  open(frame: Uint8Array): Uint8Array {
    const key = this.#usableKey(this.#receive);
    const header = decodeFrameHeader(frame, this.#faults);
    const expectedLength = frameByteLength(header);
    if (frame.length < expectedLength) throw channelError(this.#faults, 'FRAME_TRUNCATED', `${frame.length} bytes, header declares ${expectedLength}`);
    if (frame.length > expectedLength) throw channelError(this.#faults, 'FRAME_TRAILING_BYTES', `${frame.length} bytes, header declares ${expectedLength}`);
    if (!bytesEqual(header.sessionId, this.sessionId)) throw channelError(this.#faults, 'FRAME_WRONG_SESSION');
    if (header.direction !== this.#receiveDirection) throw channelError(this.#faults, 'FRAME_WRONG_DIRECTION', `direction ${header.direction}`);
    const { epoch, counter } = this.#receive;
    if (header.epoch < epoch || (header.epoch === epoch && header.counter < counter)) {
      throw channelError(this.#faults, 'FRAME_REPLAYED', `frame ${header.epoch}/${header.counter}, expected ${epoch}/${counter}`);
    }
    if (header.epoch !== epoch || header.counter !== counter) {
      throw channelError(this.#faults, 'FRAME_OUT_OF_ORDER', `frame ${header.epoch}/${header.counter}, expected ${epoch}/${counter}`);
    }
    const nonce = frameNonce(this.#receiveDirection, epoch, counter);
    const padded = this.#cipher.open(key, nonce, frame.subarray(0, FRAME_HEADER_BYTES), frame.subarray(FRAME_HEADER_BYTES));
    if (padded === undefined) throw channelError(this.#faults, 'FRAME_AUTH_FAILED');
    // The frame is genuine and the peer counted it, so it is consumed even if its padding is bad.
    this.#advance(this.#receive);
    return unpadPayload(padded, this.#faults);
  }

  openMessage(frame: Uint8Array): ChannelMessage {
    return decodeMessage(this.open(frame), this.#faults);
  }

  /**
   * Every message a frame from the peer carries, in order. Receivers use this rather than
   * openMessage, so a frame that packs several messages (docs/protocol.md §5) reads the same.
   */
  openMessages(frame: Uint8Array): ChannelMessage[] {
    return decodeMessages(this.open(frame), this.#faults);
  }

  /** Forgets both directions' keys; every later call is SESSION_CLOSED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const state of [this.#send, this.#receive]) {
      if (state.key !== undefined) this.#cipher.destroyKey(state.key);
      state.key = undefined;
    }
  }

  /**
   * A frame for a payload of `payloadLength` bytes: its length prefix written and the padding
   * after the payload zeroed; the caller writes the payload. One allocation per frame: the
   * plaintext is padded in place of the body and encrypted over itself.
   */
  #newFrame(payloadLength: number): Uint8Array {
    const bucket = requireBucket(payloadLength, this.#faults);
    const frameBytes = FRAME_HEADER_BYTES + bucket + AEAD_TAG_BYTES;
    const allocate = this.#cipher.allocateFrame;
    const frame = allocate === undefined ? new Uint8Array(frameBytes) : allocate(frameBytes);
    if (frame.length !== frameBytes) throw new Error('assertion: allocateFrame returned the wrong length');
    writeU32(frame, PADDED_AT, payloadLength);
    if (allocate !== undefined) frame.fill(0, PAYLOAD_AT + payloadLength, PADDED_AT + bucket);
    return frame;
  }

  /**
   * An unsealed frame holding the text as its payload, or undefined when its UTF-8 is longer
   * than MAX_PAYLOAD_BYTES. Most texts are ASCII: the frame sized by characters is tried first,
   * and only if that does not hold the text are the UTF-8 bytes counted.
   */
  #frameForText(text: string): Uint8Array | undefined {
    if (text.length <= MAX_PAYLOAD_BYTES) {
      const frame = this.#newFrame(text.length);
      const { read } = utf8Encoder.encodeInto(text, frame.subarray(PAYLOAD_AT, PAYLOAD_AT + text.length));
      if (read === text.length) return frame;
    }
    const length = utf8ByteLength(text);
    if (length > MAX_PAYLOAD_BYTES) return undefined;
    const frame = this.#newFrame(length);
    const { read } = utf8Encoder.encodeInto(text, frame.subarray(PAYLOAD_AT, PAYLOAD_AT + length));
    if (read !== text.length) throw new Error(`assertion: ${length} UTF-8 bytes did not hold the text`);
    return frame;
  }

  /** Writes the header, seals the padded plaintext in place and counts the frame. */
  #sealFrame(key: Key, frame: Uint8Array): Uint8Array {
    const { epoch, counter } = this.#send;
    const bodyLength = frame.length - FRAME_HEADER_BYTES;
    encodeFrameHeader(frame, { version: PROTOCOL_VERSION, sessionId: this.sessionId, direction: this.#sendDirection, epoch, counter, bodyLength });
    const body = frame.subarray(FRAME_HEADER_BYTES);
    this.#cipher.seal(key, frameNonce(this.#sendDirection, epoch, counter), frame.subarray(0, FRAME_HEADER_BYTES), body.subarray(0, bodyLength - AEAD_TAG_BYTES), body);
    this.#advance(this.#send);
    return frame;
  }

  #usableKey(state: DirectionState<Key>): Key {
    if (this.#closed) throw channelError(this.#faults, 'SESSION_CLOSED');
    if (state.key === undefined) throw channelError(this.#faults, 'SESSION_EXHAUSTED', `epoch ${this.#maxEpoch} is spent`);
    return state.key;
  }

  /** Counts a frame; at the epoch boundary derives the next key, or retires the direction after the last epoch. */
  #advance(state: DirectionState<Key>): void {
    state.counter += 1;
    if (state.counter < this.#framesPerEpoch) return;
    const spent = state.key!;
    state.key = state.epoch < this.#maxEpoch ? this.#cipher.nextKey(spent) : undefined;
    this.#cipher.destroyKey(spent);
    state.epoch += 1;
    state.counter = 0;
  }
}

/**
 * Consecutive texts grouped greedily into payloads of at most MAX_PAYLOAD_BYTES (by
 * `lengthOf`) and MESSAGE_LIMITS.maxMessagesPerFrame messages, each with its payload text:
 * a lone text as itself, several as a packed list, whose brackets and commas count too.
 */
function packedGroups(texts: readonly string[], lengthOf: (text: string) => number): { texts: readonly string[]; text: string }[] {
  const groups: { texts: readonly string[]; text: string }[] = [];
  let first = 0;
  while (first < texts.length) {
    let end = first + 1;
    let packedBytes = 2 + lengthOf(texts[first]!);
    while (end < texts.length && end - first < MESSAGE_LIMITS.maxMessagesPerFrame) {
      const next = packedBytes + 1 + lengthOf(texts[end]!);
      if (next > MAX_PAYLOAD_BYTES) break;
      packedBytes = next;
      end += 1;
    }
    const members = texts.slice(first, end);
    groups.push({ texts: members, text: members.length === 1 ? members[0]! : packedMessagesText(members) });
    first = end;
  }
  return groups;
}

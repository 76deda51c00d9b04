// The client's frame cipher on node:crypto, for load generators and tests that play many
// traders in one Node process: @noble's pure-JS AES-GCM costs about ten times as much per
// 1 KiB frame, so a benchmark driving the enclave with it measures its own clients. Keys stay
// raw bytes, as ClientSession expects, and are wiped when the session forgets them. The SDK
// and the browser keep @noble (client/channel/noble-frame-cipher.ts); test/vectors/channel.json
// proves both produce the same bytes.
import type { FrameCipher } from '../../src/protocol/channel-session.js';
import { allocatePooledFrame, nextTrafficKeyBytes, openAesGcm, sealAesGcm } from '../../src/enclave/channel/node-frame-cipher.js';

export const nodeClientFrameCipher: FrameCipher<Uint8Array> = {
  seal: sealAesGcm,
  open: openAesGcm,
  nextKey: nextTrafficKeyBytes,
  allocateFrame: allocatePooledFrame,
  destroyKey(key) {
    key.fill(0);
  },
};

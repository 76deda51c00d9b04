// The enclave's end of an established channel: the shared record layer on node's AES-GCM,
// plus the authenticated trader identity the enclave's account logic needs.
import type { KeyObject } from 'node:crypto';
import { ChannelSession } from '../../protocol/channel-session.js';

export class ServerSession extends ChannelSession<KeyObject> {
  /** The trader's Ed25519 identity, authenticated by its transcript signature: its Polkadot account. */
  get traderIdentityPublicKey(): Uint8Array {
    return this.peerIdentity.slice();
  }
}

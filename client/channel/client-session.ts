// The trader's end of an established channel: the shared record layer (on @noble's AES-GCM
// unless the handshake was given another cipher), plus the enclave identity it was
// authenticated against.
import { ChannelSession } from '../../src/protocol/channel-session.js';

export class ClientSession extends ChannelSession<Uint8Array> {
  /** The enclave identity key whose signature established this session. */
  get enclaveIdentityPublicKey(): Uint8Array {
    return this.peerIdentity.slice();
  }
}

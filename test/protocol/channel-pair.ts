// Builds a real node-enclave ↔ noble-client channel for the tests: fresh enclave keys, a
// verified-bundle stand-in hash, a trader key, and both ends of an established session.
import { randomBytes } from 'node:crypto';
import { createClientHandshake, type ClientSession } from '../../client/channel/index.js';
import { createServerHandshake, loadEnclaveChannelKeys, type EnclaveChannelKeys, type ServerSession } from '../../src/enclave/channel/index.js';

export interface ChannelPair {
  readonly keys: EnclaveChannelKeys;
  readonly attestationHash: Uint8Array;
  readonly traderIdentitySecretKey: Uint8Array;
  readonly server: ServerSession;
  readonly client: ClientSession;
}

export interface ChannelPairOptions {
  readonly framesPerEpoch?: number;
  readonly keys?: EnclaveChannelKeys;
  readonly attestationHash?: Uint8Array;
}

export function freshEnclaveKeys(): EnclaveChannelKeys {
  return loadEnclaveChannelKeys({ identitySecretKey: randomBytes(32), keyAgreementSecretKey: randomBytes(32) });
}

export function establishChannel(options: ChannelPairOptions = {}): ChannelPair {
  const keys = options.keys ?? freshEnclaveKeys();
  const attestationHash = options.attestationHash ?? new Uint8Array(randomBytes(32));
  const traderIdentitySecretKey = new Uint8Array(randomBytes(32));
  const handshake = createClientHandshake({
    enclaveKeyAgreementPublicKey: keys.keyAgreementPublicKey, enclaveIdentityPublicKey: keys.identityPublicKey,
    attestationHash, traderIdentitySecretKey,
  });
  const serverOptions = options.framesPerEpoch === undefined ? {} : { framesPerEpoch: options.framesPerEpoch };
  const { serverHello, session: server } = createServerHandshake(keys, attestationHash, serverOptions).acceptClientHello(handshake.clientHello);
  const client = handshake.finish(serverHello);
  return { keys, attestationHash, traderIdentitySecretKey, server, client };
}

// The enclave's encrypted-channel API: what the enclave's connection handling calls.
export { loadEnclaveChannelKeys, type EnclaveChannelKeys, type RawEnclaveChannelKeys } from './enclave-channel-keys.js';
export { ENCLAVE_CHANNEL_FAULTS } from './faults.js';
export { createServerHandshake, ServerHandshake, type AcceptedClientHello, type ServerHandshakeOptions } from './server-handshake.js';
export { ServerSession } from './server-session.js';

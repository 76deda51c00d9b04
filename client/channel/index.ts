// The client's encrypted-channel API: what the SDK's connection code calls.
export { CLIENT_CHANNEL_FAULTS } from './faults.js';
export { ClientHandshake, createClientHandshake, type ClientHandshakeInput } from './client-handshake.js';
export { ClientSession } from './client-session.js';

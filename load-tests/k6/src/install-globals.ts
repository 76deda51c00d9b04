// Imported first by every k6 entry point: the shared protocol code and @noble expect the
// WHATWG text codecs at module load, and k6 before 2026 has none, so they are put in place
// before any other module of the bundle is evaluated. crypto.getRandomValues is k6's own
// (a global since k6 1.0); its absence is a clear error here rather than a mystery later.
import { installTextCodecs } from './text-codec.js';

installTextCodecs();

const globalCrypto = (globalThis as { crypto?: { getRandomValues?: unknown } }).crypto;
if (typeof globalCrypto?.getRandomValues !== 'function') {
  throw new Error('this k6 has no global crypto.getRandomValues: the k6 load scripts need k6 1.0 or later');
}

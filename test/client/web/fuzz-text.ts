// Edge-biased text for fuzzing the page's input parsers: hex and decimal shapes one character
// off, whitespace, 0x prefixes, huge and empty strings, JSON fragments and unicode, all drawn
// from a seeded PRNG so a failing run replays from the seed it prints.
import { Prng } from '../../support/prng.js';

const ALPHABET = '0123456789abcdefABCDEFxX.-+eE ,:{}[]"\\\u00a0\u200b\u00e9\ud83d\ude00';
const FRAGMENTS = ['', ' ', '0x', '0', '.', '-1', '1e3', 'NaN', 'Infinity', 'null', '{}', '[]', '{"a":1}', 'true', '00', '1.', '.5', '5.10', '1.05'];

/** The fuzz seed from FUZZ_SEED or the default, printed. */
export function fuzzPrng(label: string, defaultSeed: number): Prng {
  const fromEnv = process.env.FUZZ_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : defaultSeed;
  console.log(`${label}: FUZZ_SEED=${seed}`);
  return new Prng(seed);
}

export function fuzzText(prng: Prng): string {
  switch (prng.int(0, 5)) {
    case 0: return prng.pick(FRAGMENTS);
    case 1: return Array.from({ length: prng.pick([63, 64, 65, 66]) }, () => '0123456789abcdef'[prng.int(0, 15)]).join('');
    case 2: return `${prng.chance(0.5) ? '0x' : ''}${Array.from({ length: 64 }, () => prng.pick([...'0123456789abcdefABCDEFg'])).join('')}`;
    case 3: return 'f'.repeat(prng.pick([100, 199, 200, 201, 5_000]));
    case 4: return `${prng.int(0, 10_000)}.${prng.int(0, 999)}`;
    default: return Array.from({ length: prng.int(0, 40) }, () => ALPHABET[prng.int(0, ALPHABET.length - 1)]).join('');
  }
}

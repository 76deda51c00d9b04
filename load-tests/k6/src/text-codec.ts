// UTF-8 TextEncoder and TextDecoder for k6, whose JavaScript runtime (Sobek) only gained the
// WHATWG encoding globals in 2026: the shared protocol code and @noble build their codecs at
// module load, so the k6 bundles install these first when the runtime has none. The decoder
// follows the WHATWG UTF-8 decode algorithm, so fatal mode refuses exactly what a browser
// refuses and replacement mode yields the same U+FFFD characters.

const REPLACEMENT = 0xfffd;
const BOM = 0xfeff;

export class Utf8TextEncoder {
  readonly encoding = 'utf-8';

  encode(input = ''): Uint8Array {
    const out = new Uint8Array(maxUtf8Bytes(input));
    const { written } = this.encodeInto(input, out);
    return out.slice(0, written);
  }

  /** Writes as many whole characters as fit; lone surrogates become U+FFFD. */
  encodeInto(input: string, destination: Uint8Array): { read: number; written: number } {
    let read = 0;
    let written = 0;
    while (read < input.length) {
      let code = input.charCodeAt(read);
      let units = 1;
      if (code >= 0xd800 && code <= 0xdbff && read + 1 < input.length) {
        const low = input.charCodeAt(read + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          units = 2;
        }
      }
      if (code >= 0xd800 && code <= 0xdfff) code = REPLACEMENT;
      const bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      if (written + bytes > destination.length) break;
      if (bytes === 1) destination[written] = code;
      else {
        const lead = bytes === 2 ? 0xc0 : bytes === 3 ? 0xe0 : 0xf0;
        destination[written] = lead | (code >> (6 * (bytes - 1)));
        for (let index = 1; index < bytes; index++) destination[written + index] = 0x80 | ((code >> (6 * (bytes - 1 - index))) & 0x3f);
      }
      written += bytes;
      read += units;
    }
    return { read, written };
  }
}

export interface Utf8TextDecoderOptions {
  readonly fatal?: boolean;
  readonly ignoreBOM?: boolean;
}

export class Utf8TextDecoder {
  readonly encoding = 'utf-8';
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;

  constructor(label = 'utf-8', options: Utf8TextDecoderOptions = {}) {
    const normalized = label.trim().toLowerCase();
    if (normalized !== 'utf-8' && normalized !== 'utf8' && normalized !== 'unicode-1-1-utf-8') throw new RangeError(`this TextDecoder supports only UTF-8, not ${label}`);
    this.fatal = options.fatal === true;
    this.ignoreBOM = options.ignoreBOM === true;
  }

  decode(input?: ArrayBuffer | ArrayBufferView): string {
    const bytes = input === undefined ? new Uint8Array(0)
      : input instanceof ArrayBuffer ? new Uint8Array(input)
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const codes: number[] = [];
    let chunks = '';
    let needed = 0;
    let seen = 0;
    let code = 0;
    let lower = 0x80;
    let upper = 0xbf;
    const emit = (value: number): void => {
      if (value > 0xffff) {
        const offset = value - 0x10000;
        codes.push(0xd800 + (offset >> 10), 0xdc00 + (offset & 0x3ff));
      } else codes.push(value);
      if (codes.length >= 8192) {
        chunks += String.fromCharCode(...codes);
        codes.length = 0;
      }
    };
    const error = (): void => {
      if (this.fatal) throw new TypeError('The encoded data was not valid UTF-8');
      emit(REPLACEMENT);
    };
    for (let index = 0; index < bytes.length; index++) {
      const byte = bytes[index]!;
      if (needed === 0) {
        if (byte <= 0x7f) emit(byte);
        else if (byte >= 0xc2 && byte <= 0xdf) { needed = 1; code = byte & 0x1f; }
        else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) lower = 0xa0;
          if (byte === 0xed) upper = 0x9f;
          needed = 2;
          code = byte & 0x0f;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) lower = 0x90;
          if (byte === 0xf4) upper = 0x8f;
          needed = 3;
          code = byte & 0x07;
        } else error();
        continue;
      }
      if (byte < lower || byte > upper) {
        // The sequence ends here without this byte, which starts afresh.
        needed = 0; seen = 0; code = 0; lower = 0x80; upper = 0xbf;
        error();
        index -= 1;
        continue;
      }
      lower = 0x80;
      upper = 0xbf;
      code = (code << 6) | (byte & 0x3f);
      seen += 1;
      if (seen !== needed) continue;
      emit(code);
      needed = 0; seen = 0; code = 0;
    }
    if (needed !== 0) error();
    let text = chunks + String.fromCharCode(...codes);
    if (!this.ignoreBOM && text.charCodeAt(0) === BOM) text = text.slice(1);
    return text;
  }
}

/** An upper bound on the UTF-8 bytes of a string: three per UTF-16 unit. */
function maxUtf8Bytes(input: string): number {
  return input.length * 3;
}

/** Installs the codecs on globalThis unless the runtime already has them. */
export function installTextCodecs(scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): void {
  if (typeof scope.TextEncoder !== 'function') scope.TextEncoder = Utf8TextEncoder;
  if (typeof scope.TextDecoder !== 'function') scope.TextDecoder = Utf8TextDecoder;
}

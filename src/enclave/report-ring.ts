// One account's recent execution reports for resume, kept as encoded bytes in one typed array
// rather than as JavaScript strings. A report is kept long after it is sent (until newer ones
// push it out), so as strings every report outlived young-generation collections, got promoted
// and was later collected by the old generation: large GC pauses under load. Here the bytes live
// in an off-heap ArrayBuffer that only grows, with a bounded count and a bounded byte budget.
// Eviction depends only on the sequence of reports pushed, never on how the buffer is laid out,
// so a ring refilled from a snapshot keeps exactly what the original kept.

/** Record header: the report's stream seq (float64, exact for safe integers) then its byte length (uint32). */
const HEADER_BYTES = 12;
/** Bytes the buffer starts with; it grows as the account's history does. */
const INITIAL_CAPACITY_BYTES = 1024;
/** UTF-8 takes at most three bytes per UTF-16 code unit. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One kept report: its stream seq and its canonical JSON. */
export interface KeptReport {
  readonly seq: number;
  readonly json: string;
}

export class ReportRing {
  readonly #maxReports: number;
  readonly #maxBytes: number;
  #bytes = new Uint8Array(INITIAL_CAPACITY_BYTES);
  #view = new DataView(this.#bytes.buffer);
  /** Offset of the oldest record. */
  #start = 0;
  /** Offset just past the newest record. */
  #end = 0;
  #count = 0;
  /** Seq of the newest kept record (0 when empty). */
  #newestSeq = 0;

  /** Keeps at most `maxReports` reports and at most `maxBytes` of records (headers included). */
  constructor(maxReports: number, maxBytes: number) {
    if (!Number.isSafeInteger(maxReports) || maxReports < 1) throw new Error(`ReportRing: bad maxReports ${maxReports}`);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < HEADER_BYTES) throw new Error(`ReportRing: bad maxBytes ${maxBytes}`);
    this.#maxReports = maxReports;
    this.#maxBytes = maxBytes;
  }

  get size(): number { return this.#count; }

  /** Bytes the kept records take (headers included). */
  get keptBytes(): number { return this.#end - this.#start; }

  /** Appends the report with stream seq `seq` (one above the newest kept) and evicts the oldest past either bound. */
  push(seq: number, json: string): void {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new Error(`ReportRing: bad seq ${seq}`);
    if (this.#count > 0 && seq !== this.#newestSeq + 1) throw new Error(`ReportRing: seq ${seq} does not follow ${this.#newestSeq}`);
    this.#makeRoom(HEADER_BYTES + json.length * MAX_UTF8_BYTES_PER_UNIT);
    const { read, written } = encoder.encodeInto(json, this.#bytes.subarray(this.#end + HEADER_BYTES));
    if (read !== json.length) throw new Error('ReportRing: room was made for the whole report');
    const recordBytes = HEADER_BYTES + written;
    if (recordBytes > this.#maxBytes) throw new Error(`ReportRing: one report of ${recordBytes} bytes exceeds the ${this.#maxBytes}-byte budget`);
    this.#view.setFloat64(this.#end, seq, true);
    this.#view.setUint32(this.#end + 8, written, true);
    this.#end += recordBytes;
    this.#count += 1;
    this.#newestSeq = seq;
    while (this.#count > this.#maxReports || this.#end - this.#start > this.#maxBytes) this.#evictOldest();
  }

  /** The kept reports with seq above `afterSeq`, oldest first. */
  *after(afterSeq: number): Generator<KeptReport> {
    let offset = this.#start;
    for (let index = 0; index < this.#count; index++) {
      const seq = this.#view.getFloat64(offset, true);
      const length = this.#view.getUint32(offset + 8, true);
      const body = offset + HEADER_BYTES;
      if (seq > afterSeq) yield { seq, json: decoder.decode(this.#bytes.subarray(body, body + length)) };
      offset = body + length;
    }
  }

  #evictOldest(): void {
    this.#start += HEADER_BYTES + this.#view.getUint32(this.#start + 8, true);
    this.#count -= 1;
    if (this.#count === 0) this.#start = this.#end = 0;
  }

  /**
   * Ensures `needBytes` free bytes after the newest record: moves the kept records to the front
   * when they fill at most three quarters of the buffer afterwards (so each byte written is copied
   * at most three times), otherwise grows the buffer.
   */
  #makeRoom(needBytes: number): void {
    if (this.#end + needBytes <= this.#bytes.length) return;
    const live = this.#end - this.#start;
    const wanted = live + needBytes;
    if (wanted * 4 <= this.#bytes.length * 3) {
      this.#bytes.copyWithin(0, this.#start, this.#end);
    } else {
      const grown = new Uint8Array(Math.max(Math.ceil(this.#bytes.length * 1.5), Math.ceil((wanted * 4) / 3)));
      grown.set(this.#bytes.subarray(this.#start, this.#end));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#start = 0;
    this.#end = live;
  }
}

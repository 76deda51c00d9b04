// The channel message text of an execution report, built from the report's JSON, which the
// engine serializes once when it records the report. It is exactly what encodeMessageText
// makes of { t: 'report', id: `s${seq}`, body: report } (JSON.stringify composes), so the same
// report is not walked, checked and serialized again for every session it is sealed to.
// test/enclave/report-envelope.test.ts holds the two equal over the engine's reports, and the
// client's decoder (which refuses anything non-canonical) has the last word on the wire.

export function reportMessageText(seq: number, reportJson: string): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new Error(`assertion: report seq ${seq}`);
  return `{"t":"report","id":"s${seq}","body":${reportJson}}`;
}

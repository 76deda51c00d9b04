// The attestation panel: the verdict the page reached itself (client/attestation, run in this
// browser), every check in the order it ran with its outcome and what it found, and the facts
// the verdict rests on. A development verdict is labelled INSECURE in words, not only colour.
import type { AttestationCheckOutcome, AttestationVerdict } from '../attestation/verdict.js';
import { el, row, shortHex, timeOf } from './dom.js';

export interface VerdictHeadline {
  readonly tone: 'good' | 'bad' | 'warn';
  readonly title: string;
  readonly detail: string;
}

/** Where and how the page verifies; shown under every verdict. */
export const VERIFICATION_NOTE = 'Verified in this browser by the page\'s own copy of the SDK (client/attestation), before any key is used: '
  + 'development reports by their Ed25519 signature (@noble) under the dev root you pinned; Intel TDX quotes by @phala/dcap-qvl\'s pure-JavaScript '
  + 'DCAP verifier against the collateral you supplied, then the measurements and dstack event log against your TDX policy. '
  + 'The gateway that served this page is not trusted: it only relays ciphertext.';

export function headlineOf(verdict: AttestationVerdict): VerdictHeadline {
  if (!verdict.ok) {
    const reason = verdict.failure.message.startsWith(`${verdict.failure.name} (`) ? verdict.failure.message.slice(verdict.failure.message.indexOf(': ') + 2) : verdict.failure.message;
    return { tone: 'bad', title: `REFUSED — ${verdict.failure.name} (${verdict.failure.code})`, detail: `${reason} No session was opened.` };
  }
  if (verdict.insecure) {
    return {
      tone: 'warn',
      title: 'INSECURE — development attestation (no TEE)',
      detail: 'This enclave runs without a trusted execution environment. Its report is signed by a local dev root key you pinned, so it proves only who started it: '
        + 'the machine\'s operator can read every order. Use it for testing only.',
    };
  }
  return { tone: 'good', title: 'Verified — Intel TDX enclave (dstack)', detail: 'The quote, TCB level, measurements and app identity match your policy; the session keys are bound to the quote.' };
}

const OUTCOME_TEXT: Readonly<Record<AttestationCheckOutcome, string>> = { passed: 'passed', failed: 'FAILED', skipped: 'skipped', 'not-run': 'not run' };

export function renderVerdict(container: HTMLElement, verdict: AttestationVerdict): void {
  const headline = headlineOf(verdict);
  const facts: [string, Node | string][] = [
    ['evidence', verdict.kind === null ? 'unreadable bundle' : verdict.kind === 'dev' ? 'development report (dev)' : 'Intel TDX quote via dstack (dstack-tdx)'],
    ['verified at', `${timeOf(verdict.verifiedAtSecs * 1000)}${verdict.fromCache ? ' (cached verdict)' : ''}`],
    ['valid until', verdict.validUntilSecs === null ? 'no expiry (development report)' : timeOf(verdict.validUntilSecs * 1000)],
  ];
  if (verdict.bundleDigestHex !== null) facts.push(['bundle sha256', shortHex(verdict.bundleDigestHex, 16)]);
  if (verdict.enclaveKeys !== null) {
    facts.push(['enclave Ed25519', shortHex(verdict.enclaveKeys.ed25519Hex, 16)], ['enclave X25519', shortHex(verdict.enclaveKeys.x25519Hex, 16)]);
  }
  if (verdict.tcb !== null) facts.push(['TCB status', `${verdict.tcb.status}${verdict.tcb.advisoryIds.length > 0 ? ` (${verdict.tcb.advisoryIds.join(', ')})` : ''}`]);
  if (verdict.measurements !== null) facts.push(['MRTD', shortHex(verdict.measurements.mrtdHex, 16)]);
  if (verdict.app !== null) facts.push(['compose hash', shortHex(verdict.app.composeHashHex, 16)], ['app id', shortHex(verdict.app.appIdHex, 16)]);

  const checks = verdict.checks.map((check) => row([
    el('td', { className: 'check-name', text: check.name }),
    el('td', {}, el('span', { className: `outcome outcome-${check.outcome}`, text: OUTCOME_TEXT[check.outcome] })),
    el('td', { className: 'check-detail', text: check.detail }),
  ], { attrs: { 'data-check': check.name, 'data-outcome': check.outcome } }));

  container.replaceChildren(
    el('div', { className: `verdict-headline tone-${headline.tone}`, attrs: { 'data-verdict': verdict.ok ? (verdict.insecure ? 'insecure' : 'verified') : 'refused' } },
      el('strong', { className: 'verdict-title', text: headline.title }),
      el('p', { className: 'verdict-detail', text: headline.detail })),
    el('dl', { className: 'facts' }, ...facts.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', {}, value)])),
    el('table', { className: 'checks' },
      el('thead', {}, row([el('th', { text: 'check' }), el('th', { text: 'outcome' }), el('th', { text: 'what was found' })])),
      el('tbody', {}, ...checks)),
    el('p', { className: 'note', text: VERIFICATION_NOTE }),
  );
}

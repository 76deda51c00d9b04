// Decimal strings from the SDK to integer atoms, so the drills compare balances exactly.
export function atomsOf(amount: string, decimals: number): bigint {
  const match = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(amount);
  if (match === null) throw new Error(`not a decimal amount: ${amount.slice(0, 64)}`);
  const fraction = match[3] ?? '';
  if (fraction.length > decimals) throw new Error(`${amount.slice(0, 64)} has more than ${decimals} decimals`);
  const atoms = BigInt(match[2]! + fraction.padEnd(decimals, '0'));
  return match[1] === '-' ? -atoms : atoms;
}

import { xcmRegistry as r } from '../src/xcmp/xcm-registry.js';
console.log(r.createType('InstructionV5', { BuyExecution: { fees: { id: { parents: 1, interior: 'Here' }, fun: { Fungible: 1 } }, weightLimit: 'Unlimited' } }).toHex());
console.log(r.createType('InstructionV5', { SetTopic: new Uint8Array(32) }).index, r.createType('InstructionV5', { PayFees: {asset: { id: { parents: 1, interior: 'Here' }, fun: { Fungible: 1 } }} }).index);
console.log(r.createType('InstructionV5', { ReportError: { destination: { parents: 1, interior: 'Here' }, queryId: 1, maxWeight: {refTime: 1, proofSize: 1} } }).toHex());
console.log(r.createType('JunctionV5', { GlobalConsensus: { Ethereum: { chainId: 1 } } }).toHex());
console.log(r.createType('VersionedXcm', { V5: [{ SetTopic: new Uint8Array(32) }] }).toHex());

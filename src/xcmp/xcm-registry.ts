// The one TypeRegistry that encodes and decodes XCM for the whole engine (builder, local chain,
// real connector), so every side agrees byte for byte. It uses @polkadot/types' built-in XCM
// definitions with three corrections where they differ from the Rust `xcm` crate's V5 (checked
// against polkadot-sdk stable2412): NetworkId V5 skips indices 4–6 (Westend, Rococo, Wococo were
// removed), BuyExecution V5 pays with a V5 asset, and Transact V5 carries an optional fallback weight.
import { TypeRegistry } from '@polkadot/types';

const NETWORK_ID_V5 = {
  _enum: {
    ByGenesis: '[u8;32]',
    ByFork: '{"blockNumber":"u64","blockHash":"[u8;32]"}',
    Polkadot: 'Null',
    Kusama: 'Null',
    __Unused4: 'Null',
    __Unused5: 'Null',
    __Unused6: 'Null',
    Ethereum: '{"chainId":"Compact<u64>"}',
    BitcoinCore: 'Null',
    BitcoinCash: 'Null',
    PolkadotBulletin: 'Null',
  },
};

/** Nested struct variants are given as JSON strings, the form the registry's type parser accepts. */
interface EnumDefinition { _enum: Record<string, string> }

function correctedInstructionV5(registry: TypeRegistry): EnumDefinition {
  const parsed = JSON.parse(registry.getDefinition('InstructionV5') ?? 'null') as { _enum?: Record<string, unknown> } | null;
  if (parsed === null || typeof parsed._enum !== 'object') throw new Error('InstructionV5 is missing from @polkadot/types');
  const variants: Record<string, string> = {};
  for (const [name, type] of Object.entries(parsed._enum)) variants[name] = typeof type === 'string' ? type : JSON.stringify(type);
  for (const name of ['BuyExecution', 'Transact', 'ReportError', 'ReportHolding', 'QueryPallet', 'ReportTransactStatus']) {
    if (!(name in variants)) throw new Error(`InstructionV5.${name} is missing from @polkadot/types`);
  }
  // Assigning existing keys keeps their position, so every variant keeps its SCALE index.
  variants['BuyExecution'] = JSON.stringify({ fees: 'MultiAssetV5', weightLimit: 'WeightLimitV3' });
  variants['Transact'] = JSON.stringify({ originKind: 'OriginKindV4', fallbackMaxWeight: 'Option<WeightV2>', call: 'DoubleEncodedCall' });
  variants['ReportError'] = 'QueryResponseInfoV5';
  variants['ReportHolding'] = JSON.stringify({ responseInfo: 'QueryResponseInfoV5', assets: 'MultiAssetFilterV5' });
  variants['QueryPallet'] = JSON.stringify({ moduleName: 'Vec<u8>', responseInfo: 'QueryResponseInfoV5' });
  variants['ReportTransactStatus'] = 'QueryResponseInfoV5';
  return { _enum: variants };
}

function createXcmRegistry(): TypeRegistry {
  const registry = new TypeRegistry();
  registry.register({ NetworkIdV5: NETWORK_ID_V5 });
  registry.register({ InstructionV5: correctedInstructionV5(registry) });
  return registry;
}

/** Shared, created once at import; @polkadot/types registries are not cheap. */
export const xcmRegistry: TypeRegistry = createXcmRegistry();

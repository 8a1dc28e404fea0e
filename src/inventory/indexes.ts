/**
 * The document fields each provider type indexes in its inventory databases, from the provider
 * models (e.g. `VsphereIndexes`).
 */
import { VsphereIndexes } from '../providers/vsphere/model.js';

const byType: Readonly<Record<string, Readonly<Record<string, readonly string[] | undefined>>>> = {
  vsphere: VsphereIndexes,
};

/**
 * The fields to index per kind for a provider type (`spec.type`, e.g. `vsphere`); empty for types
 * without declared indexes.
 */
export function indexesFor(providerType: string): Readonly<Record<string, readonly string[] | undefined>> {
  return byType[providerType] ?? {};
}

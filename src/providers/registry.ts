/** The source types the controller can connect to, one adapter each. */
import type { ProviderAdapter } from './adapter.js';
import { vsphereAdapter } from './vsphere/adapter.js';

/** Every provider adapter, by `spec.type`. */
export const providerAdapters: readonly ProviderAdapter[] = [vsphereAdapter];

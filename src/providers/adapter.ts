/**
 * What every source type implements for the controller: validate its settings, test a
 * connection, and collect its inventory into an {@link InventoryDb}. One adapter per folder under
 * `providers/`; the Provider reconciler knows nothing type-specific.
 */
import type { Problem } from '../api/index.js';
import type { InventoryDb } from '../inventory/index.js';

/** Credentials and endpoint of a provider, read from its spec and Secret. */
export interface Connection {
  /** `spec.url`. */
  url: string;
  /** Secret `user`. */
  username: string;
  /** Secret `password` (or `token`); never logged. */
  password: string;
  /** Secret `cacert` (PEM), when given. */
  caCert?: string;
  /** Secret `insecureSkipVerify` = true. */
  insecureSkipVerify: boolean;
  /** `spec.settings`. */
  settings: Readonly<Record<string, string>>;
}

/** Result of a successful connection test. */
export interface ConnectionTest {
  /** SHA-1 fingerprint of the server certificate, `AA:BB:…`. */
  fingerprint?: string;
  /** Product and version the server reports, e.g. `VMware vCenter Server 8.0.3`. */
  product?: string;
}

/** Why a connection test failed; the reconciler maps it to a condition. */
export type ConnectionFailure = 'auth' | 'tls' | 'unreachable' | 'other';

/** A collector's state, as the reconciler reports it. */
export interface CollectorState {
  /** The inventory matches the source (first full load done, updates flowing). */
  parity: boolean;
  /** The last error, while retrying. */
  error?: string;
  /** Objects loaded so far (for progress). */
  objects: number;
}

/** A running inventory collector. */
export interface Collector {
  readonly state: CollectorState;
  /** Stops collecting; the database stays. */
  stop(): Promise<void>;
}

/** Options of {@link ProviderAdapter.startCollector}. */
export interface CollectorOptions {
  connection: Connection;
  db: InventoryDb;
  /** Called when `state` changes (parity reached or lost, errors). */
  onStateChange(): void;
  log: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

/** One source type. */
export interface ProviderAdapter {
  /** `spec.type`. */
  readonly type: string;
  /** Secret keys that must be present. */
  readonly requiredSecretKeys: readonly string[];
  /** Checks the URL; returns what is wrong. */
  validateUrl(url: string): string | undefined;
  /** Checks `spec.settings`; returns every problem. */
  validateSettings(settings: Readonly<Record<string, string>>): Problem[];
  /**
   * Logs in and out once.
   * @throws {@link ConnectionTestError}
   */
  testConnection(connection: Connection, signal?: AbortSignal): Promise<ConnectionTest>;
  /** Starts loading the inventory, then following changes, with reconnects. */
  startCollector(options: CollectorOptions): Collector;
}

/** A failed connection test, classified. */
export class ConnectionTestError extends Error {
  readonly failure: ConnectionFailure;
  /** The server certificate's fingerprint, when known (TLS failures name it). */
  readonly fingerprint: string | undefined;

  constructor(
    failure: ConnectionFailure,
    message: string,
    options: { fingerprint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ConnectionTestError';
    this.failure = failure;
    this.fingerprint = options.fingerprint;
  }
}

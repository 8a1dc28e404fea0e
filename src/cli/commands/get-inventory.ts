/**
 * `get inventory <resource> [PROVIDER]`: lists a provider's inventory through the inventory
 * service (in-process in local mode), optionally filtered, projected, grouped, sorted and limited
 * by a query that the service evaluates.
 */
import YAML from 'yaml';
import { ApiError, UsageError, type Provider } from '../../api/index.js';
import { parseQuery, QuerySyntaxError } from '../../query/index.js';
import type { Session } from '../context.js';
import { openInventoryClient, type InventoryClient } from '../inventory-client.js';
import { renderMarkdownTable, renderTable } from '../output/table.js';
import { toJson, toYaml } from '../output/print.js';
import { parseOutputFormat } from '../output/format.js';
import { getProvider } from '../refs.js';
import type { InventoryResource } from '../resources/inventory.js';
import type { CommandResult } from '../result.js';

/** Options of {@link run}. */
export interface GetInventoryOptions {
  resource: InventoryResource;
  /** Provider name (`ns/name` allowed). */
  provider: string;
  /** `-q`: the query (kubectl-mtv TSL envelope). */
  query?: string;
  /** `-o`. */
  output?: string;
  /** `--inventory-url`. */
  inventoryUrl?: string;
}

/** Output formats of `get inventory`. */
export const inventoryFormats = ['table', 'json', 'yaml', 'markdown', 'planvms'] as const;

type Row = Record<string, unknown>;

/** What one fetch returned. */
export interface InventoryRows {
  provider: Provider;
  rows: Row[];
  /** Column names when the query has SELECT or GROUP BY. */
  columns: string[] | undefined;
  /** The service answered 206: the collector has not reached parity yet. */
  partial: boolean;
}

/** Checks the query locally first, so a typo gets a caret without a round trip. */
function checkSyntax(query: string | undefined): boolean {
  if (query === undefined) return false;
  try {
    const q = parseQuery(query);
    return q.select !== undefined || q.groupBy !== undefined;
  } catch (e: unknown) {
    if (e instanceof QuerySyntaxError) {
      throw new UsageError({ field: '--query', message: e.message, hint: 'see: mtv help query' });
    }
    throw e;
  }
}

/** Checks that the provider exists. @throws NotFoundError */
export async function checkProvider(session: Session, provider: string): Promise<void> {
  await getProvider(session, provider, '--provider');
}

/** Fetches the rows (one request). */
export async function fetchInventory(
  session: Session,
  client: InventoryClient,
  o: GetInventoryOptions,
): Promise<InventoryRows> {
  const projected = checkSyntax(o.query);
  const provider = await getProvider(session, o.provider, '--provider');
  const uid = provider.metadata.uid ?? '';
  const params = new URLSearchParams({ detail: 'all' });
  if (o.query !== undefined) params.set('q', o.query);
  const r = await client.get(
    `/providers/${encodeURIComponent(provider.spec.type)}/${encodeURIComponent(uid)}/${o.resource.collection}?${params.toString()}`,
  );
  if (r.status === 400) {
    const body = r.body as { error?: string } | undefined;
    throw new UsageError({
      field: '--query',
      message: body?.error ?? 'was rejected',
      hint: 'see: mtv help query',
    });
  }
  if (r.status === 404) {
    const body = r.body as { error?: string; reason?: string } | undefined;
    throw new ApiError(
      `the inventory has no ${o.resource.collection} for provider ${provider.metadata.name ?? ''}: ${body?.error ?? 'not found'}`,
      404,
      {
        hint: `mtv inventories vsphere providers; check the provider with: mtv describe provider ${provider.metadata.name ?? ''}`,
      },
    );
  }
  if (r.status >= 300) {
    const body = r.body as { error?: string } | undefined;
    throw new ApiError(
      `the inventory service answered ${String(r.status)}: ${body?.error ?? JSON.stringify(r.body)}`,
      r.status,
    );
  }
  const rows = Array.isArray(r.body) ? (r.body as Row[]) : [];
  const columns = projected ? [...new Set(rows.flatMap((x) => Object.keys(x)))] : undefined;
  return { provider, rows, columns, partial: r.status === 206 };
}

/** Table header and cells for rows. */
export function tableOf(
  resource: InventoryResource,
  rows: readonly Row[],
  columns: string[] | undefined,
): { header: string[]; cells: string[][] } {
  if (columns) {
    const cell = (v: unknown): string =>
      v === undefined || v === null
        ? ''
        : typeof v === 'string'
          ? v
          : typeof v === 'number'
            ? formatNumber(v)
            : JSON.stringify(v);
    return {
      header: columns.map((c) => c.toUpperCase()),
      cells: rows.map((r) => columns.map((c) => cell(r[c]))),
    };
  }
  return {
    header: resource.columns.map((c) => c.header),
    cells: rows.map((r) => resource.columns.map((c) => c.cell(r))),
  };
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** The planvms format: what `create plan --vms @file` reads back. */
export function planVms(rows: readonly Row[]): string {
  return YAML.stringify(rows.map((r) => ({ id: r.id, name: r.name })));
}

/** Lists inventory. */
export async function run(session: Session, o: GetInventoryOptions): Promise<CommandResult> {
  const format = parseOutputFormat(o.output, inventoryFormats);
  if (format.kind === ('planvms' as string) && o.resource.collection !== 'vms') {
    throw new UsageError({ field: '--output', message: 'planvms is only for vm', value: o.output });
  }
  const client = await openInventoryClient(session, o.inventoryUrl);
  try {
    const got = await fetchInventory(session, client, o);
    return renderRows(o, got, format.kind);
  } finally {
    await client.close();
  }
}

function renderRows(o: GetInventoryOptions, got: InventoryRows, format: string): CommandResult {
  const warn = got.partial
    ? `Warning: the inventory of provider ${got.provider.metadata.name ?? ''} is still loading (phase ${got.provider.status?.phase ?? 'unknown'}); results may be incomplete\n`
    : '';
  let text: string;
  switch (format) {
    case 'json':
      text = toJson(got.rows);
      break;
    case 'yaml':
      text = toYaml(got.rows);
      break;
    case 'planvms':
      text = planVms(got.rows);
      break;
    default: {
      if (got.rows.length === 0)
        return {
          kind: 'text',
          text: '',
          stderr: `${warn}No ${o.resource.nouns[1] ?? o.resource.collection} found.\n`,
        };
      const t = tableOf(o.resource, got.rows, got.columns);
      text = format === 'markdown' ? renderMarkdownTable(t.header, t.cells) : renderTable(t.header, t.cells);
    }
  }
  return { kind: 'text', text, ...(warn ? { stderr: warn } : {}) };
}

/**
 * `get inventory … -w`: prints the table, then — polling the service every second — a line per
 * object that appears or changes (by `revision`) and per object that goes, until Ctrl-C. Queries
 * with SELECT or GROUP BY reprint the whole table when it changes.
 */
export async function watch(
  session: Session,
  o: GetInventoryOptions,
  write: (text: string) => void,
): Promise<void> {
  parseOutputFormat(o.output, ['table']);
  const client = await openInventoryClient(session, o.inventoryUrl);
  const signal = session.signal;
  const intervalMs = Number(session.env.MTV_INVENTORY_WATCH_INTERVAL_MS ?? '1000');
  let previous = new Map<string, string>();
  let previousText = '';
  let first = true;
  try {
    while (!signal?.aborted) {
      const got = await fetchInventory(session, client, o);
      const t = tableOf(o.resource, got.rows, got.columns);
      if (got.columns) {
        const text = renderTable(t.header, t.cells);
        if (text !== previousText) write(`${first ? '' : '\n'}${text}`);
        previousText = text;
      } else {
        const now = new Map<string, string>();
        const lines: string[][] = [];
        got.rows.forEach((r, i) => {
          const id = String(r.id);
          const version = String(r.revision);
          now.set(id, version);
          if (first || previous.get(id) !== version) lines.push(t.cells[i] ?? []);
        });
        const gone = [...previous.keys()].filter((id) => !now.has(id));
        if (first) write(renderTable(t.header, lines));
        else if (lines.length) write(renderTable(t.header, lines).split('\n').slice(1).join('\n'));
        for (const id of gone) write(`${id} (deleted)\n`);
        previous = now;
      }
      first = false;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, intervalMs);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  } finally {
    await client.close();
  }
}

/**
 * Kubernetes name rules (DNS-1123) with messages that say what is wrong and how to fix it.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */
import type { Problem } from './errors.js';

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True for a DNS-1123 label: ≤63 lowercase alphanumerics or '-', alphanumeric at both ends. */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && label.test(s);
}

/** True for a DNS-1123 subdomain: ≤253 characters, dot-separated labels. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && subdomain.test(s);
}

/**
 * Suggests a valid DNS-1123 label for a name: lowercased, runs of invalid characters replaced by
 * '-', trimmed to 63 characters, non-alphanumeric ends removed.
 */
export function toDns1123Label(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

/**
 * Checks an object name (DNS-1123 subdomain, as most kinds require) and returns the problem, if any.
 * @param field where the name came from, e.g. `NAME` or `--secret`.
 */
export function checkObjectName(name: string, field: string): Problem | undefined {
  if (name === '') return { field, message: 'must not be empty' };
  if (isDns1123Subdomain(name)) return undefined;
  const fix = toDns1123Label(name);
  return {
    field,
    message:
      'must be a DNS-1123 name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters',
    value: name,
    ...(fix ? { hint: `use "${fix}"` } : {}),
  };
}

/** Checks a namespace name (DNS-1123 label) and returns the problem, if any. */
export function checkNamespaceName(name: string, field: string): Problem | undefined {
  if (isDns1123Label(name)) return undefined;
  const fix = toDns1123Label(name);
  return {
    field,
    message:
      'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
    value: name,
    ...(fix ? { hint: `use "${fix}"` } : {}),
  };
}

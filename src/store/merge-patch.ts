/**
 * JSON merge patch (RFC 7386), as the Kubernetes API applies `application/merge-patch+json`.
 * @see https://www.rfc-editor.org/rfc/rfc7386#section-2
 */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Applies `patch` to `target` and returns the result; neither argument is modified. Objects
 * merge recursively, `null` removes a key, anything else (arrays included) replaces.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

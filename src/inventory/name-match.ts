/**
 * Forklift's `name` query parameter as SQL over the inventory's `name` and `path` columns.
 *
 * A name without `/` matches the object's name. A name with `/` is a path: its last segment must
 * equal the name, and then `suffix` matching (VMs) keeps objects whose path ends with the given
 * segments, while `root` matching (hosts, clusters, networks, datastores) keeps objects whose path
 * starts with the same first segment (the datacenter). A leading `/` is ignored in both, so a full
 * path selects exactly that object. Unlike Forklift, the path test applies even when one object
 * has the name.
 *
 * @see https://github.com/kubev2v/forklift/blob/main/pkg/controller/provider/web/vsphere/base.go
 */

/** How a `name` containing `/` is matched against paths (see the module documentation). */
export type PathMatchMode = 'suffix' | 'root';

/** A SQL condition with its positional parameters. */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

/**
 * The condition selecting objects that Forklift's `name` parameter selects.
 * @param name the parameter's value, not empty.
 * @param mode how a path is matched. @default 'suffix'
 */
export function nameCondition(name: string, mode: PathMatchMode = 'suffix'): SqlCondition {
  if (!name.includes('/')) return { sql: 'name = ?', params: [name] };
  const relative = name.replace(/^\/+/, '');
  const segments = relative.split('/');
  const last = segments[segments.length - 1] ?? '';
  if (mode === 'root') {
    const root = segments[0] ?? '';
    return {
      sql: "name = ? AND (ltrim(path, '/') = ? OR substr(ltrim(path, '/'), 1, ?) = ?)",
      params: [last, root, root.length + 1, `${root}/`],
    };
  }
  const tail = `/${relative}`;
  return {
    sql: "name = ? AND (ltrim(path, '/') = ? OR substr(path, -?) = ?)",
    params: [last, relative, tail.length, tail],
  };
}

/**
 * `mtv help query`: the query language on one page.
 */

/** Plain-text help for the query language (grammar, operators, functions, rules, examples). */
export const queryHelp = `QUERIES

  [SELECT expr [AS alias], ...] [WHERE condition] [GROUP BY expr, ...]
  [ORDER BY|SORT BY expr [ASC|DESC], ...] [LIMIT n]

  Clauses come in this order; each is optional. A query that starts with none of these
  keywords is a WHERE condition:  powerState = 'poweredOn'  means  where powerState = 'poweredOn'.
  Keywords and function names are case-insensitive; field names are case-sensitive.
  Keywords inside quotes are just text:  where name = 'where-vm'  works.

FIELDS

  name                          a field of the row
  host.cluster                  a nested field
  disks[0].capacity             an element of a list
  disks[*].capacity             the list of every element's capacity
  disks.capacity                the same as disks[*].capacity
  labels[app.kubernetes.io/name]   a key that contains dots or slashes (also labels['a b'])

  A field that no row has is an error with suggestions ("did you mean memoryMB?"), unless the
  command knows it exists. A field missing from some rows is null in those rows.

VALUES

  'text'  "text"  \`text\`      strings; escapes \\n \\t \\r \\b \\f \\\\ \\' \\" \\\`
                                (any other backslash is kept: '\\d+' is the regex \\d+)
  42  1.5  2e9                  numbers
  4k 4M 4G 4T 4P                decimal units: 4k = 4000, 4M = 4000000, ...
  4Ki 4Mi 4Gi 4Ti 4Pi           binary units: 4Ki = 4096, 4Gi = 4294967296, ...
  true  false  null
  2024-05-31                    a date: the whole UTC day
  2024-05-31T12:00:00Z          an RFC 3339 timestamp (a zone, Z or +02:00, is required)
  ['a', 'b']  or  ('a', 'b')    a list (after IN)

  Dates must be unquoted to compare as dates; a quoted '2024-05-31' is a string.

OPERATORS (lowest precedence first)

  OR
  AND
  NOT                           not x = 1  means  not (x = 1)
  = == != <> < <= > >=          compare (they do not chain: write a < b and b < c)
  ~= ~!                         regex matches / does not match (unanchored)
  [NOT] LIKE  [NOT] ILIKE       anchored pattern: % any text, _ one character, \\% a literal %
                                LIKE is case-sensitive, ILIKE is not
  [NOT] IN list                 x in ['a', 'b'];  'web' in tags  (tags a list field)
  [NOT] BETWEEN a AND b         inclusive; with dates, created between 2024-01-01 and
                                2024-01-31 includes all of Jan 31
  IS NULL  IS NOT NULL          missing or null
  + -                           add, subtract
  * / %                         multiply, divide, remainder (division by zero gives null)
  - (prefix), ( )

FUNCTIONS

  len(x)          length of a list, a string (characters) or an object (keys)
  any(cond)       true when cond holds for some element:  any(disks[*].capacity > 100Gi)
  all(cond)       true when cond holds for every element (all of an empty list is true)
  sum(x)          per row: the sum of a list, e.g. sum(disks[*].capacity)
  count(*) count(x) sum(x) avg(x) min(x) max(x)      aggregates, one value per group

  A list such as disks[*].capacity cannot be compared directly (that is an error); wrap the
  condition in any() or all(). Inside any(), all(), sum() and len(), operators apply to each
  element.

  When is sum() an aggregate? A query is grouped when it has GROUP BY, or its SELECT or
  ORDER BY uses count(), avg(), min(), max(), or sum() of something without [*]. In a grouped
  query sum() in SELECT/ORDER BY is the group total (lists are flattened into it); otherwise,
  and always in WHERE, sum() is per row. In a grouped query, SELECT and ORDER BY may only use
  GROUP BY expressions and aggregates. GROUP BY without SELECT shows the groups and a count.

RULES

  Missing values: a comparison with a missing or null field is unknown, and so is its NOT; a
  row matches only when the whole condition is true. So neither powerState = 'on' nor
  not (powerState = 'on') matches a row without powerState; test it with IS [NOT] NULL.
  x = null and x != null mean x IS NULL and x IS NOT NULL.

  Types: numbers compare as numbers, strings as text (case-sensitive), booleans false < true.
  Values of different types are never equal, and have no order: '8192' = 8192 is false.

  Regular expressions use JavaScript syntax (not RE2); a leading (?i) ignores case, and (?s),
  (?m) are also accepted.

  Order: rows keep their input order unless ORDER BY says otherwise, and ties keep it too.
  ORDER BY puts nulls first (ASC) or last (DESC); numeric strings sort as numbers.

  SELECT aliases can be used in WHERE, GROUP BY and ORDER BY.

EXAMPLES

  where name like 'prod-%' and powerState = 'poweredOn'
  memoryMB >= 16Gi / 1Mi and not (guestId ilike '%windows%')
  select name, memoryMB / 1024 as memoryGB where memoryGB > 30 order by memoryGB desc limit 10
  select name, sum(disks[*].capacity) as total where total > 30e9 order by total desc limit 3
  where any(disks[*].capacity > 100Gi)
  where len(nics) > 1 and name ~= '(?i)^db-'
  where cluster in ['prod', 'staging'] and cpuCount between 4 and 16
  select cluster, count(*) as vms, sum(memoryMB) as memory group by cluster order by memory desc
  where created between 2024-01-01 and 2024-01-31
  where labels[app.kubernetes.io/name] = 'web'
`;

/**
 * `describe` output: a document of labelled fields, sections, tables and text blocks, rendered as
 * kubectl-describe-style text, Markdown, JSON or YAML.
 */
import { styles } from '../io.js';
import { toJson, toYaml } from './print.js';
import { renderMarkdownTable, renderTable } from './table.js';

/** One `Label: value` line. */
export interface DocField {
  label: string;
  value: string;
}

/** A titled part of a document. */
export interface DocSection {
  title: string;
  fields?: DocField[];
  table?: { header: string[]; rows: string[][] };
  /** Preformatted text (e.g. a playbook). */
  text?: string;
  /** Shown when the section has nothing else, e.g. `<none>`. */
  empty?: string;
}

/** A describe document. */
export interface Document {
  title: string;
  fields: DocField[];
  sections: DocSection[];
}

/** Formats accepted by `describe -o`. */
export const documentFormats = ['table', 'markdown', 'json', 'yaml'] as const;

function fieldLines(fields: readonly DocField[], indent: string, bold: (s: string) => string): string {
  const width = Math.max(...fields.map((f) => f.label.length + 1));
  return fields
    .map((f) => {
      const [first = '', ...rest] = f.value.split('\n');
      const pad = ' '.repeat(width + 2 - f.label.length - 1);
      const cont = rest.map((l) => `\n${indent}${' '.repeat(width + 2)}${l}`).join('');
      return `${indent}${bold(`${f.label}:`)}${pad}${first}${cont}`;
    })
    .join('\n');
}

function renderText(doc: Document, color: boolean): string {
  const s = styles(color);
  const parts: string[] = [];
  if (doc.fields.length) parts.push(fieldLines(doc.fields, '', s.bold));
  for (const sec of doc.sections) {
    const body: string[] = [];
    if (sec.fields?.length) body.push(fieldLines(sec.fields, '  ', s.bold));
    if (sec.table?.rows.length) {
      body.push(
        renderTable(sec.table.header, sec.table.rows)
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
    }
    if (sec.text)
      body.push(
        sec.text
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
    if (!body.length) body.push(`  ${sec.empty ?? '<none>'}`);
    parts.push(`${s.bold(`${sec.title}:`)}\n${body.join('\n')}`);
  }
  return parts.join('\n\n') + '\n';
}

function renderMarkdown(doc: Document): string {
  const fields = (fs: readonly DocField[]): string =>
    fs.map((f) => `- **${f.label}:** ${f.value.replace(/\n/g, ' ')}`).join('\n');
  const parts = [`# ${doc.title}`];
  if (doc.fields.length) parts.push(fields(doc.fields));
  for (const sec of doc.sections) {
    parts.push(`## ${sec.title}`);
    if (sec.fields?.length) parts.push(fields(sec.fields));
    if (sec.table?.rows.length) parts.push(renderMarkdownTable(sec.table.header, sec.table.rows).trimEnd());
    if (sec.text) parts.push('```\n' + sec.text.trimEnd() + '\n```');
    if (!sec.fields?.length && !sec.table?.rows.length && !sec.text) parts.push(sec.empty ?? '_none_');
  }
  return parts.join('\n\n') + '\n';
}

/** Renders a document in one of {@link documentFormats}. */
export function renderDocument(
  doc: Document,
  format: (typeof documentFormats)[number],
  color: boolean,
): string {
  switch (format) {
    case 'table':
      return renderText(doc, color);
    case 'markdown':
      return renderMarkdown(doc);
    case 'json':
      return toJson(doc);
    case 'yaml':
      return toYaml(doc);
  }
}

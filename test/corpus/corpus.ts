import { readFileSync } from 'node:fs';

/** One hostile or malformed event of the corpus, with what must happen to it. */
export interface CorpusCase {
  readonly name: string;
  /** Why the event must be refused, in the operator's terms. */
  readonly why: string;
  readonly detailType: string;
  /** @default the configured source */
  readonly source?: string;
  readonly detail: unknown;
  /** Pattern the dead letter's reasons must match (a regular expression). */
  readonly expect: string;
}

/**
 * Expands the corpus file's size macros, which keep large inputs readable in JSON:
 * `{"$ids": {"prefix", "count"}}` → `count` distinct ids; `{"$text": {"length"}}` → a string of that
 * length; `{"$fields": {"count", "length"}}` → an object of `count` fields; `{"$nest": {"depth"}}` →
 * objects nested `depth` deep.
 */
function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (value === null || typeof value !== 'object') return value;
  const macro = value as Record<string, Record<string, number | string>>;
  if (macro.$ids)
    return Array.from({ length: Number(macro.$ids.count) }, (_, i) => `${macro.$ids?.prefix}${i}`);
  if (macro.$text) return 'x'.repeat(Number(macro.$text.length));
  if (macro.$fields)
    return Object.fromEntries(
      Array.from({ length: Number(macro.$fields.count) }, (_, i) => [
        `f${i}`,
        'y'.repeat(Number(macro.$fields?.length)),
      ]),
    );
  if (macro.$nest) {
    let nested: unknown = {};
    for (let i = 0; i < Number(macro.$nest.depth); i += 1) nested = { n: nested };
    return nested;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
}

/** The corpus in test/corpus/events.json, macros expanded. */
export function loadCorpus(): CorpusCase[] {
  const raw = JSON.parse(readFileSync(new URL('./events.json', import.meta.url), 'utf8')) as CorpusCase[];
  return raw.map((c) => ({ ...c, detail: expand(c.detail) }));
}

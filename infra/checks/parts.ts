/**
 * A string as it will be deployed, in pieces: text the synth already knows, and values
 * CloudFormation fills in at deploy time (generated names, ARNs, pseudo parameters), each with the
 * most characters it can have. Summing the pieces bounds the deployed length from above.
 */
export type Part = TextPart | UnknownPart;

/** Text known at synth. */
export interface TextPart {
  readonly text: string;
}

/** A value known only at deploy time. */
export interface UnknownPart {
  /** What the value is, for messages ("generated name of MyAlarm"). */
  readonly what: string;
  /** The most characters it can have. */
  readonly max: number;
  /** The resource the value comes from, when it is a `Ref` or `Fn::GetAtt`. */
  readonly source?: { readonly logicalId: string; readonly attribute?: string };
}

/** Thrown when a value's deployed length cannot be bounded; the message says what to add. */
export class Unmeasurable extends Error {
  override readonly name = 'Unmeasurable';
}

/** A piece of known text. */
export const text = (value: string): TextPart => ({ text: value });

/** Whether a piece is known at synth. */
export const isText = (part: Part): part is TextPart => 'text' in part;

/** The most characters `parts` can have once deployed. */
export function maxLength(parts: readonly Part[]): number {
  return parts.reduce((sum, part) => sum + (isText(part) ? part.text.length : part.max), 0);
}

/**
 * The most UTF-8 bytes `parts` can have once deployed. Unknown values are names, ids and ARNs made
 * of ASCII letters, digits and punctuation, one byte a character.
 */
export function maxBytes(parts: readonly Part[]): number {
  return parts.reduce(
    (sum, part) => sum + (isText(part) ? Buffer.byteLength(part.text, 'utf8') : part.max),
    0,
  );
}

/** The text of `parts` when every piece is known at synth. */
export function knownText(parts: readonly Part[]): string | undefined {
  return parts.every(isText) ? parts.map((part) => part.text).join('') : undefined;
}

/** Adjacent text pieces merged, so searches in the text do not miss a match split across pieces. */
export function merged(parts: readonly Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    const last = out.at(-1);
    if (isText(part) && last && isText(last)) out[out.length - 1] = text(last.text + part.text);
    else if (!isText(part) || part.text !== '') out.push(part);
  }
  return out;
}

/** `pieces` joined with a known separator. */
export function joined(pieces: readonly (readonly Part[])[], separator: string): Part[] {
  return merged(pieces.flatMap((piece, i) => (i === 0 ? [...piece] : [text(separator), ...piece])));
}

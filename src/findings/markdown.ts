/**
 * Safe markdown for card `detail`. Text that comes from a chart (FHIR display strings, free text) is data, never
 * markup: it is escaped so a clinician sees it literally and no client renders a link, image or HTML from it.
 * Use the `md` tag for every detail built from patient data: interpolated values are escaped, the literal
 * template parts are ours and stay markdown.
 */
import markdownEscape from 'markdown-escape';

const MAX_INLINE_LENGTH = 500;

/** Anything below would change: control and bidi characters, backslash, `&`, and every character escaped below. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPING = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069\\&*#/()[\]<>_`|~!:.=+-]/;

/** Escape one piece of untrusted text for inline use in GitHub-flavoured markdown. */
export function escapeMarkdown(value: string | number | boolean | null | undefined): string {
  const raw = String(value ?? '');
  // Most chart text ("Lisinopril 10 MG Oral Tablet") has nothing to escape: skip the dozen regex passes.
  if (raw.length <= MAX_INLINE_LENGTH && !NEEDS_ESCAPING.test(raw)) return raw;
  return escapeEverything(raw);
}

/** The escaping itself, without the shortcut (exported for the test that keeps the two in step). */
export function escapeEverything(raw: string): string {
  const text = raw
    // Control characters and bidi overrides can disguise text; line breaks could start block syntax.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .slice(0, MAX_INLINE_LENGTH);
  const escaped = markdownEscape(text.replace(/\\/g, '\\\\').replace(/&/g, '&amp;'));
  // markdown-escape leaves GFM's table pipes, strikethrough, image bangs and autolink-bearing punctuation.
  return escaped.replace(/[|~!:.=+-]/g, (c) => `\\${c}`);
}

/** Tagged template: `md\`Prescribed **${name}**\`` escapes `name` but keeps the surrounding markdown. */
export function md(
  strings: TemplateStringsArray,
  ...values: (string | number | boolean | null | undefined)[]
): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += escapeMarkdown(value) + (strings[i + 1] ?? '');
  });
  return out;
}

/** A markdown bullet list from lines that are already safe markdown (built with `md`). */
export function bulletList(lines: readonly string[]): string {
  return lines.map((line) => `- ${line}`).join('\n');
}

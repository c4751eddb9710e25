/**
 * Drug and concept names as matchable tokens. EHR text varies in case, punctuation, salts and accents
 * ("Warfarin Sodium 5 MG Oral Tablet", "warfarin 5mg", "Amoxicillin/Clavulanate"), so matching works on
 * lower-case ASCII words, never on raw strings.
 */

/** Lower-case ASCII words joined by single spaces: `Amoxicillin/Clavulanate 875MG` → `amoxicillin clavulanate 875mg`. */
export function normalizeName(text: string): string {
  // Unicode normalization is slow; plain ASCII (nearly all drug text) does not need it.
  const ascii = /[\u0080-\uffff]/.test(text) ? text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : text;
  return ascii
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words of a normalized name; digits glued to units (`5mg`) stay one token, which is harmless for names. */
export function nameTokens(text: string): string[] {
  const normalized = normalizeName(text);
  return normalized ? normalized.split(' ') : [];
}

/**
 * Drug and concept names as matchable tokens. EHR text varies in case, punctuation, salts and accents
 * ("Warfarin Sodium 5 MG Oral Tablet", "warfarin 5mg", "Amoxicillin/Clavulanate"), so matching works on
 * lower-case ASCII words, never on raw strings.
 */

/** Lower-case ASCII words joined by single spaces: `Amoxicillin/Clavulanate 875MG` → `amoxicillin clavulanate 875mg`. */
export function normalizeName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words of a normalized name; digits glued to units (`5mg`) stay one token, which is harmless for names. */
export function nameTokens(text: string): string[] {
  const normalized = normalizeName(text);
  return normalized ? normalized.split(' ') : [];
}

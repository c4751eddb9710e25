/**
 * Prefetch token substitution, CDS Hooks 2.0 §5.2 (https://cds-hooks.hl7.org/2.0/#prefetch-tokens):
 * `{{context.x}}` for first-level primitive context fields, and the user tokens `{{userPractitionerId}}`,
 * `{{userPractitionerRoleId}}`, `{{userPatientId}}`, `{{userRelatedPersonId}}` derived from `context.userId`.
 * A token that cannot be resolved leaves the template unusable (the key cannot be fetched), like the sandbox.
 */
const TOKEN = /\{\{\s*([^}]+?)\s*\}\}/g;

const USER_TOKENS: Readonly<Record<string, string>> = {
  userPractitionerId: 'Practitioner',
  userPractitionerRoleId: 'PractitionerRole',
  userPatientId: 'Patient',
  userRelatedPersonId: 'RelatedPerson',
};

/** Context fields the hooks mark "Prefetch Token: No": never substituted even when primitive. */
const NON_TOKEN_FIELDS = new Set(['selections', 'draftOrders']);

export type Substitution = { ok: true; url: string } | { ok: false; token: string };

function resolveToken(token: string, context: Readonly<Record<string, unknown>>): string | undefined {
  if (token.startsWith('context.')) {
    const field = token.slice('context.'.length);
    if (field.includes('.') || NON_TOKEN_FIELDS.has(field)) return undefined;
    const value = context[field];
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;
  }
  const userType = USER_TOKENS[token];
  if (userType) {
    const userId = context.userId;
    if (typeof userId !== 'string') return undefined;
    const [type, id] = userId.split('/');
    return type === userType && id ? id : undefined;
  }
  return undefined;
}

/** Substitutes every token; values are URL-encoded so context data cannot change the query's shape. */
export function substituteTokens(template: string, context: Readonly<Record<string, unknown>>): Substitution {
  let unresolved: string | undefined;
  const url = template.replace(TOKEN, (_match, token: string) => {
    const value = resolveToken(token, context);
    if (value === undefined) {
      unresolved ??= token;
      return '';
    }
    return encodeURIComponent(value);
  });
  return unresolved === undefined ? { ok: true, url } : { ok: false, token: unresolved };
}

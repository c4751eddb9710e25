/**
 * The view's filters live in the address bar (`/audit?service=…&from=…&card=…`), so a view can be bookmarked and
 * shared; the form mirrors them. The names are the audit API's own query parameters.
 */
export const FILTER_KEYS = ['from', 'to', 'service', 'advisor', 'rule', 'model', 'indicator'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export interface ViewState {
  readonly filters: Filters;
  /** The card opened in the detail panel. */
  readonly card: string | undefined;
}

export function readUrl(): ViewState {
  const params = new URLSearchParams(window.location.search);
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  return { filters, card: params.get('card') ?? undefined };
}

export function query(filters: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A new entry in the browser's history: Back returns to the previous view. */
export function pushUrl(state: ViewState): void {
  const url = `${window.location.pathname}${query(state.filters, state.card ? { card: state.card } : {})}`;
  if (url !== `${window.location.pathname}${window.location.search}`) window.history.pushState(null, '', url);
}

export function fillForm(form: HTMLFormElement, filters: Filters): void {
  for (const key of FILTER_KEYS) {
    const field = form.elements.namedItem(key) as HTMLInputElement | HTMLSelectElement | null;
    if (field) field.value = filters[key] ?? '';
  }
}

export function readForm(form: HTMLFormElement): Filters {
  const data = new FormData(form);
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = data.get(key);
    if (typeof value === 'string' && value.trim()) filters[key] = value.trim();
  }
  return filters;
}

/// <reference lib="dom" />
/**
 * The safety dashboard in the browser: sign in with an audit token (exchanged for an HttpOnly session cookie),
 * then everything comes from the audit and admin APIs with the filters in the address bar. The page's
 * `data-state` attribute says `loading` / `ready` / `error`, for people with slow links and for the browser test.
 */
import type { CardDetail } from '../../store/read/queries.js';
import type { ShadowReport } from '../../store/read/shadow.js';
import type { AiMode } from '../../advisors/types.js';
import type { AuditOverview } from '../../store/read/overviewShape.js';
import type { ServiceAiState } from '../../http/routes/admin.js';
import type { Page } from '../../store/types.js';
import { Unauthorized, getJson, login, logout, putJson, resumeSession } from './api.js';
import { type ListedCard, appendCards, cardRow, renderCards, renderDetail } from './cards.js';
import { drawTrends } from './charts.js';
import { byId } from './dom.js';
import { type ViewState, fillForm, pushUrl, query, readForm, readUrl } from './filters.js';
import { type LaneView, renderFatigue, renderKpis, renderLane, renderModel } from './overview.js';
import { renderShadow } from './shadow.js';
import { fillServiceFilter, renderSwitches } from './switches.js';

const PAGE = 50;
let olderCards: string | undefined;
let generation = 0;

function setState(state: 'loading' | 'ready' | 'error' | 'signed-out'): void {
  document.body.dataset.state = state;
}

function showError(error: unknown): void {
  if (error instanceof Unauthorized) {
    showLogin();
    return;
  }
  const box = byId('error');
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
  setState('error');
}

function showLogin(): void {
  byId('app').hidden = true;
  byId('logout').hidden = true;
  byId('login').hidden = false;
  setState('signed-out');
  byId<HTMLInputElement>('token').focus();
}

function setExportLinks(view: ViewState): void {
  const q = query(view.filters);
  const links: [string, string][] = [
    ['export-cards-csv', 'cards.csv'],
    ['export-feedback-csv', 'feedback.csv'],
    ['export-invocations-csv', 'invocations.csv'],
    ['export-cards-ndjson', 'cards.ndjson'],
  ];
  for (const [id, file] of links) byId<HTMLAnchorElement>(id).href = `/audit/api/export/${file}${q}`;
}

async function loadSwitches(): Promise<readonly ServiceAiState[]> {
  const { services } = await getJson<{ services: ServiceAiState[] }>('/admin/services');
  renderSwitches(services, (id, mode) => void setMode(id, mode));
  return services;
}

async function setMode(serviceId: string, mode: AiMode): Promise<void> {
  try {
    await putJson(`/admin/services/${encodeURIComponent(serviceId)}/ai`, { mode });
    await loadSwitches();
  } catch (error) {
    showError(error);
  }
}

function openCard(uuid: string): void {
  const view = readUrl();
  pushUrl({ ...view, card: uuid });
  void showDetail(uuid);
}

async function showDetail(uuid: string | undefined): Promise<void> {
  const panel = byId('detail');
  document.querySelectorAll('#cards tr.selected').forEach((row) => row.classList.remove('selected'));
  if (!uuid) {
    panel.hidden = true;
    return;
  }
  try {
    renderDetail(await getJson<CardDetail>(`/audit/api/cards/${encodeURIComponent(uuid)}`));
    document.querySelector(`#cards tr[data-uuid="${CSS.escape(uuid)}"]`)?.classList.add('selected');
    panel.hidden = false;
    panel.scrollIntoView({ block: 'nearest' });
  } catch (error) {
    showError(error);
  }
}

/** Loads everything the current address asks for; a newer load makes an older one's answers moot. */
async function refresh(): Promise<void> {
  const mine = ++generation;
  setState('loading');
  byId('error').hidden = true;
  const view = readUrl();
  fillForm(byId<HTMLFormElement>('filters'), view.filters);
  setExportLinks(view);
  try {
    const { from, to, service } = view.filters;
    const shadowQuery = query({ from, to, service });
    const [summary, cards, services, readiness, shadow] = await Promise.all([
      getJson<AuditOverview>(`/audit/api/summary${query(view.filters)}`),
      getJson<Page<ListedCard>>(`/audit/api/cards${query(view.filters, { limit: String(PAGE) })}`),
      loadSwitches(),
      // The model lane's state on this instance; readiness answering 503 (store down) only hides it.
      getJson<{ model?: LaneView }>('/readyz').catch(() => undefined),
      getJson<ShadowReport>(`/audit/api/shadow${shadowQuery}`),
    ]);
    if (mine !== generation) return;
    fillServiceFilter(services, view.filters.service);
    renderKpis(summary);
    drawTrends(summary.perDay);
    renderFatigue(summary);
    renderModel(summary);
    renderLane(readiness?.model);
    renderShadow(shadow);
    renderCards(
      cards.items.map((c) => cardRow(c, openCard)),
      `(${summary.totals.cards} in this view)`,
    );
    olderCards = cards.nextCursor;
    byId('more-cards').hidden = olderCards === undefined;
    await showDetail(view.card);
    if (mine === generation && document.body.dataset.state === 'loading') setState('ready');
  } catch (error) {
    if (mine === generation) showError(error);
  }
}

async function moreCards(): Promise<void> {
  if (!olderCards) return;
  const view = readUrl();
  const page = await getJson<Page<ListedCard>>(
    `/audit/api/cards${query(view.filters, { limit: String(PAGE), cursor: olderCards })}`,
  );
  appendCards(page.items.map((c) => cardRow(c, openCard)));
  olderCards = page.nextCursor;
  byId('more-cards').hidden = olderCards === undefined;
}

function showApp(): void {
  byId('login').hidden = true;
  byId('app').hidden = false;
  byId('logout').hidden = false;
  void refresh();
}

function wire(): void {
  byId<HTMLFormElement>('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('token');
    const errorBox = byId('login-error');
    login(input.value.trim())
      .then(() => {
        input.value = '';
        errorBox.hidden = true;
        showApp();
      })
      .catch((error: unknown) => {
        errorBox.textContent = error instanceof Unauthorized ? 'That token was not accepted.' : String(error);
        errorBox.hidden = false;
      });
  });
  byId('logout').addEventListener('click', () => {
    void logout().finally(showLogin);
  });
  byId<HTMLFormElement>('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    pushUrl({ filters: readForm(event.target as HTMLFormElement), card: undefined });
    void refresh();
  });
  byId('reset').addEventListener('click', () => {
    pushUrl({ filters: {}, card: undefined });
    void refresh();
  });
  byId('close-detail').addEventListener('click', () => {
    pushUrl({ ...readUrl(), card: undefined });
    void showDetail(undefined);
  });
  byId('more-cards').addEventListener('click', () => {
    moreCards().catch(showError);
  });
  // Back and Forward move between views.
  window.addEventListener('popstate', () => void refresh());
}

function boot(): void {
  wire();
  resumeSession().then(showApp, (error: unknown) =>
    error instanceof Unauthorized ? showLogin() : showError(error),
  );
}

boot();

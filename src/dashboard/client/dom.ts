/// <reference lib="dom" />
/**
 * Building the page with DOM calls only: text always goes in as `textContent`, never as markup, so card
 * summaries and clinicians' comments (untrusted text) can never run as script.
 */
type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; title?: string; dataset?: Record<string, string> } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.title) node.title = props.title;
  for (const [key, value] of Object.entries(props.dataset ?? {})) node.dataset[key] = value;
  append(node, ...children);
  return node;
}

export function append(node: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`dashboard: #${id} missing from the page`);
  return node as T;
}

export function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

export function replaceChildren(node: Element, ...children: Child[]): void {
  node.replaceChildren();
  append(node, ...children);
}

/** A table body with a row per item, or one "nothing here" row spanning the table. */
export function fillTable(
  tbody: HTMLTableSectionElement,
  rows: readonly HTMLTableRowElement[],
  empty: string,
): void {
  if (rows.length > 0) {
    tbody.replaceChildren(...rows);
    return;
  }
  const cell = el('td', { className: 'empty' }, empty);
  cell.colSpan = tbody.parentElement?.querySelectorAll('thead th').length ?? 1;
  tbody.replaceChildren(el('tr', {}, cell));
}

export function cell(text: Child, className?: string): HTMLTableCellElement {
  return el('td', className ? { className } : {}, text);
}

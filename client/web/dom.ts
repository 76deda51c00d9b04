// Small DOM helpers for the trading page. Elements are built from text only, never from HTML
// strings, so nothing the venue or a counterparty sends can inject markup into the page.
export type Child = Node | string;

export interface ElementProps {
  readonly className?: string;
  readonly text?: string;
  readonly title?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className !== undefined) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.title !== undefined) element.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** One of the page's fixed elements; a missing or mistyped one is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html lacks #${id} of the expected kind`);
  return element;
}

/** Replaces every child of a table body with the rows, or one placeholder row spanning the columns. */
export function fillRows(body: HTMLTableSectionElement, rows: readonly HTMLTableRowElement[], columns: number, emptyText: string): void {
  if (rows.length > 0) {
    body.replaceChildren(...rows);
    return;
  }
  body.replaceChildren(el('tr', { className: 'empty' }, el('td', { text: emptyText, attrs: { colspan: String(columns) } })));
}

export function row(cells: readonly (Child | HTMLTableCellElement)[], props: ElementProps = {}): HTMLTableRowElement {
  return el('tr', props, ...cells.map((cell) => (cell instanceof HTMLTableCellElement ? cell : el('td', {}, cell))));
}

/** A hex string shortened for a table cell; the full value in the tooltip. */
export function shortHex(hex: string, keep = 10): HTMLElement {
  return el('span', { className: 'hex', text: hex.length > keep * 2 ? `${hex.slice(0, keep)}…${hex.slice(-4)}` : hex, title: hex });
}

export function timeOf(ms: number): string {
  const date = new Date(ms);
  return Number.isFinite(date.getTime()) ? date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '—';
}

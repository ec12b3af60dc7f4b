// What every Runboard webview script uses: the VS Code API handle and DOM builders that only ever
// set text (textContent, attributes through the DOM, never innerHTML), so any string from a run —
// a task titled `<img src=x onerror=…>` — shows as those characters and nothing else.
import type { RunHead } from '../../../client/src/webview/pageProtocol';

export interface VsCodeApi<From, State> {
  postMessage(message: From): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<From, State>(): VsCodeApi<From, State>;

/** The API may be acquired once per page. */
export function vscodeApi<From, State>(): VsCodeApi<From, State> {
  return acquireVsCodeApi<From, State>();
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K];
export function el(tag: string, cls?: string, text?: string): HTMLElement;
export function el(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  cls?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (cls) e.setAttribute('class', cls);
  return e;
}

export function icon(name: string, spin = false): HTMLElement {
  const i = el('vscode-icon');
  i.setAttribute('name', name);
  if (spin) i.setAttribute('spin', '');
  return i;
}

/** What a page says when the run it was opened on is gone. */
export const RUN_NOT_OPEN = 'This run is not open (it may have been deleted, or its folder closed).';

/** The header of a page that shows one run: its objective and its status. */
export function runHeader(run: RunHead | null): HTMLElement {
  const header = el('header', 'page-header');
  header.append(el('h1', 'run-objective', run ? run.objective || run.run_id : 'No run'));
  if (run) header.append(el('span', 'run-status', run.status_text));
  return header;
}

/** A CSS custom property of the page (status colours of media/webview.css), for canvas drawing. */
export function cssVar(name: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim();
}

/** Runs `f` when the theme changes (VS Code swaps the body's classes and style variables). */
export function onThemeChange(f: () => void): void {
  new MutationObserver(f).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}

// The task board's filter box. It is built once and kept out of the board's re-render, so focus,
// caret and the typed text stay while the person types and live updates arrive. It only sends the
// text (after a short pause in typing); the extension filters with the contract's rule and answers
// with the cards, the count and why a text is no filter, which the box shows.
import type { BoardFilter } from '../../../client/src/board/boardProtocol';

/** Typing pauses this long before the text is sent: one filter per word, not per key. */
const DEBOUNCE_MS = 150;

export interface FilterBox {
  element: HTMLElement;
  /** Shows the extension's answer. The box takes its text only until the person types in it. */
  update(filter: BoardFilter): void;
}

export function createFilterBox(send: (text: string) => void): FilterBox {
  const element = document.createElement('div');
  element.className = 'board-filter';
  const field = document.createElement('div');
  field.className = 'filter-field';
  const glyph = document.createElement('vscode-icon');
  glyph.setAttribute('name', 'filter');
  glyph.setAttribute('aria-hidden', 'true');
  const input = document.createElement('input');
  input.type = 'text';
  input.className = 'filter-input';
  input.setAttribute('aria-label', 'Filter tasks');
  input.setAttribute('aria-describedby', 'filter-count filter-error');
  input.placeholder = 'Filter: status:failed agent:bob label:x text';
  input.title = 'Tasks matching every word: status:, type:, agent:, label:, id: (prefixes) or text. Escape clears.';
  input.spellcheck = false;
  input.autocomplete = 'off';
  const count = document.createElement('span');
  count.className = 'filter-count';
  count.id = 'filter-count';
  count.setAttribute('role', 'status');
  count.setAttribute('aria-live', 'polite');
  field.append(glyph, input, count);
  const error = document.createElement('div');
  error.className = 'filter-error';
  error.id = 'filter-error';
  error.setAttribute('aria-live', 'polite');
  element.append(field, error);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let typed = false;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    send(input.value);
  };
  input.addEventListener('input', () => {
    typed = true;
    clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && input.value !== '') {
      // Handled here: the workbench would otherwise take the Escape too.
      e.preventDefault();
      e.stopPropagation();
      typed = true;
      input.value = '';
      flush();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      flush();
    }
  });

  // Unchanged text is not written again, so a live region does not repeat itself on every update.
  const setText = (node: HTMLElement, text: string) => {
    if (node.textContent !== text) node.textContent = text;
  };
  return {
    element,
    update(filter) {
      if (!typed && input.value !== filter.text) input.value = filter.text;
      setText(count, filter.count);
      setText(error, filter.error ?? '');
      if (filter.error) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      element.classList.toggle('filtering', filter.active);
    },
  };
}

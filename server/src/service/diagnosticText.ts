// A diagnostic (contract/diagnostic.ts) as one line for a person: where, then what — as a compiler
// says it (`file:line: message`), so terminals make the place a link.
import type { Diagnostic } from '../../../contract/diagnostic';

export function diagnosticText(d: Diagnostic): string {
  return `${d.file}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}`;
}

/** `say`, called once per diagnostic text: a short-lived reader meets the same damaged line on every look. */
export function eachDiagnosticOnce(say: (d: Diagnostic) => void): (d: Diagnostic) => void {
  const said = new Set<string>();
  return (d) => {
    const text = diagnosticText(d);
    if (said.has(text)) return;
    said.add(text);
    say(d);
  };
}

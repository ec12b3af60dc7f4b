// The results as a fixed-width table (stdout) and as Markdown (BENCHMARKS.md).
import { fmt, Row } from './harness';

const HEADERS = ['#', 'workload', 'Runboard', 'baseline', 'unit', 'ratio', 'goal', 'pass'];

function cells(row: Row, i: number): string[] {
  return [
    row.id ?? String(i + 1),
    row.name,
    fmt(row.value),
    fmt(row.baseline),
    row.unit,
    row.ratio === null ? '—' : fmt(row.ratio),
    row.goal,
    row.pass ? 'yes' : 'NO',
  ];
}

export function textTable(rows: Row[]): string {
  const all = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c >= 2 && c <= 5 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ');
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const out = [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map((_, c) => (c >= 2 && c <= 5 ? '---:' : '---')).join('|')}|`];
  rows.forEach((r, i) => out.push(`| ${cells(r, i).join(' | ')} |`));
  const notes = rows.map((r, i) => (r.note ? `- ${r.id ?? i + 1}: ${r.note}` : '')).filter((n) => n !== '');
  return [...out, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

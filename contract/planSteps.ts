// A multi-line objective as people write it — a title, then the plan's steps, one per line — turned
// into createRun's `steps`: the CLI, the MCP server and the editor all read it with this rule.

/** List markers a line may start with: "- ", "* ", "+ ", "• ", "1. ", "1) ", "[ ] ", "[x] ", "## " (• escaped: the bundles stay ASCII, esbuild.mjs). */
const MARKER = /^(?:[-*+\u2022]|\d{1,3}[.)]|\[[ xX]?\]|#{1,6})\s+/;

/**
 * Every non-blank line, markers stripped, none dropped, in order — when there are two or more; a
 * one-line objective makes no steps. (createRun refuses more than LIMITS.steps.)
 */
export function stepsFromObjective(objective: string): string[] {
  const lines: string[] = [];
  for (const raw of objective.split(/\r?\n/)) {
    let line = raw.trim();
    // "- [ ] Write it" has two markers.
    for (let i = 0; i < 2; i++) line = line.replace(MARKER, '').trim();
    if (line !== '') lines.push(line);
  }
  return lines.length >= 2 ? lines : [];
}

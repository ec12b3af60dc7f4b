// @ts-check
// Accessibility checks of a webview's document with axe-core (WCAG 2 A and AA rules), injected
// through the DevTools protocol — which the page's CSP does not govern — so the page runs as shipped.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The serious and critical violations axe finds in the frame's document, as "rule: target" lines.
 * @param {import('playwright-core').Frame} frame
 */
export async function axeViolations(frame) {
  await frame.evaluate(AXE_SOURCE);
  const violations = await frame.evaluate(async () => {
    // @ts-expect-error injected above
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((/** @type {any} */ v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((/** @type {any} */ n) => n.target.join(' ')).slice(0, 3),
      why: v.nodes[0]?.failureSummary?.replace(/\s+/g, ' ') ?? v.help,
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.targets.join(', ')} — ${v.why}`);
}

// A run's tree item carries what it offers (the contract's runActions) to package.json's menus.
import { runActions } from '../../../contract/runRules';
import type { RunStatus } from '../../../contract/statuses';

/**
 * `run.<status>[.bound][.mismatch];<action>;…;` — package.json's menus show a command where
 * `viewItem =~ /^run\..*;<action>;/` (and run-wide ones where `/^run\./`).
 */
export function runContextValue(status: RunStatus, bound: boolean, mismatch: boolean): string {
  return `run.${status}${bound ? '.bound' : ''}${mismatch ? '.mismatch' : ''};${runActions(status)
    .map((a) => `${a};`)
    .join('')}`;
}

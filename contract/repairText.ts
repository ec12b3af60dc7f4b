// What a repair of a damaged run (PROTOCOL.md §repairRun) says it can put back, and from where:
// the CLI's `repair` and the editor's Repair Run… say it in the same words.
import type { LogDamage, RestoreOffer } from './results';

type Offer = Extract<RestoreOffer, { available: true }>;

/** "the caches (seq 12)" / "checkpoint cp-3 (seq 9)". */
export function restoreSourceText(offer: Offer): string {
  return offer.from === 'cache' ? `the caches (seq ${offer.seq})` : `checkpoint ${offer.checkpoint_id} (seq ${offer.seq})`;
}

/** What a restore puts back: "the run's state with tasks a, b, 2 blackboard item(s)". */
export function whatComesBack(o: Offer): string {
  const parts = [
    o.run_fields.length > 0 ? `its ${listed(o.run_fields, 'field')}` : '',
    o.tasks.length > 0 ? listed(o.tasks, 'task') : '',
    o.blackboard_items > 0 ? `${o.blackboard_items} blackboard item(s)` : '',
    o.commands > 0 ? `${o.commands} command id(s)` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `the run's state with ${parts.join(', ')}` : "the run's state (nothing was lost from it)";
}

/** "task a" / "tasks a, b" / "tasks a … j (+3)": at most ten names. */
function listed(names: string[], noun: string): string {
  const more = names.length > 10 ? ` (+${names.length - 10})` : '';
  return `${noun}${names.length === 1 ? '' : 's'} ${names.slice(0, 10).join(', ')}${more}`;
}

/**
 * Said when no source restores anything: that nothing was lost when every damaged line repeats the
 * event before it, else why no cache or checkpoint can put back what the lines held.
 */
export function nothingRestoredText(damage: readonly Pick<LogDamage, 'duplicate'>[], restore: RestoreOffer | null | undefined): string {
  if (damage.length > 0 && damage.every((d) => d.duplicate)) {
    return damage.length === 1
      ? 'Nothing was lost: the line repeats the event before it.'
      : 'Nothing was lost: each line repeats the event before it.';
  }
  return `Nothing can restore what they held (${restore?.available === false ? restore.reason : 'no source'}).`;
}

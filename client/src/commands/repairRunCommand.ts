// Repair Run… (PROTOCOL.md §repairRun): a run whose log has damaged lines is read-only — every
// agent's write is refused — until the damage is accepted or what it held is restored from a
// cache or checkpoint. The editor asks the server what it finds, then offers the two (Restore
// first, when a source qualifies), in the words the CLI's `repair` uses (contract/repairText.ts).
import * as vscode from 'vscode';
import { nothingRestoredText, restoreSourceText, whatComesBack } from '../../../contract/repairText';
import { firstLine } from '../../../contract/taskText';
import { Requests } from '../../../server/src/protocol';
import type { RunboardContext } from '../context';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, runFromArg } from './prompts';

const RESTORE = 'Restore';
const ACCEPT = 'Accept as Gone';

export function repairRunCommand(ctx: RunboardContext): CommandSpec {
  return {
    id: 'runboard.repairRun',
    writes: true,
    run: async (arg) => {
      const ref = await runFromArg(ctx, arg, 'Repair which run?');
      const found = await ctx.server.request(Requests.repairRun, { root: ref.root, run_id: ref.run_id });
      if (found.damage.length === 0) {
        ctx.notify('info', `Run ${ref.run_id} has no damaged lines: nothing to repair.`);
        return found;
      }
      const offer = found.restore?.available ? found.restore : undefined;
      const first = found.damage[0];
      const lines = found.damage.length === 1 ? 'a damaged line' : `${found.damage.length} damaged lines`;
      const accept = `${ACCEPT} records that they are gone: the lines stay, and reads fold around them.`;
      const detail = offer
        ? `${restoreSourceText(offer)} predate the damage: ${RESTORE} puts back ${whatComesBack(offer)}. ${accept}`
        : `${nothingRestoredText(found.damage, found.restore)} ${accept}`;
      // A test (or a caller that decided) names its choice: `{choice: 'restore' | 'accept'}`.
      const given = argField(arg, 'choice', 'string');
      const answer =
        given === 'restore'
          ? RESTORE
          : given === 'accept'
            ? ACCEPT
            : await vscode.window.showWarningMessage(
                `Run ${ref.run_id} is read-only: its log has ${lines} (line ${first.line}: ${firstLine(first.message)}).`,
                { modal: true, detail },
                ...(offer ? [RESTORE, ACCEPT] : [ACCEPT]),
              );
      if (answer !== RESTORE && answer !== ACCEPT) throw new Cancelled();
      const done = await ctx.server.request(Requests.repairRun, {
        root: ref.root,
        run_id: ref.run_id,
        ...(answer === RESTORE ? { restore: true } : { accept: true }),
      });
      ctx.model.invalidate(ref);
      ctx.notify(
        'info',
        answer === RESTORE && offer
          ? `Run ${ref.run_id} repaired: ${whatComesBack(offer)} restored from ${restoreSourceText(offer)}; writes resume.`
          : `Run ${ref.run_id} repaired: its damaged lines are recorded as gone; writes resume.`,
      );
      return done;
    },
  };
}

// Questions and decisions that close (patchBlackboard; runs of format 4): answer a question
// (optionally recording the answer as a decision), resolve it without an answer, reopen a closed
// one, supersede a decision. Each acts on a Blackboard tree item, an argument naming the item
// (`question_id` / `decision_id`), or one picked among the items that offer the action. `by` is
// this editor's agent id.
import * as vscode from 'vscode';
import type { BlackboardItem } from '../../../contract/schemas/records';
import { firstLine } from '../../../contract/taskText';
import { Requests } from '../../../server/src/protocol';
import * as config from '../config';
import type { RunboardContext } from '../context';
import { itemActions, type ItemAction } from '../../../contract/blackboardRules';
import { itemsOf, ITEM_ACTION } from '../runs/blackboardItems';
import type { RunRef } from '../runs/refs';
import { Cancelled, type CommandSpec } from './commandKit';
import { argField, askText, runFromArg } from './prompts';

interface Target {
  ref: RunRef;
  id: string;
  /** The item as the model has it (absent when the model has not caught up with it yet). */
  item?: BlackboardItem;
}

/** The item of a Blackboard tree node (what a menu passes), if `arg` is one. */
function nodeItem(arg: unknown): BlackboardItem | undefined {
  const node = arg as { kind?: unknown; item?: { id?: unknown } } | undefined;
  return node?.kind === 'item' && typeof node.item?.id === 'string' ? (node.item as BlackboardItem) : undefined;
}

/** The item to act on: a tree node, its id in the argument (`question_id` …), else one the user picks among the run's items that offer `action`. */
async function targetFromArg(ctx: RunboardContext, arg: unknown, action: ItemAction, placeHolder: string): Promise<Target> {
  const ref = await runFromArg(ctx, arg, placeHolder);
  const entry = ctx.model.get(ref);
  const given = nodeItem(arg);
  const id = given?.id ?? argField(arg, ITEM_ACTION[action].idKey, 'string');
  if (id !== undefined) return { ref, id, item: given ?? itemsOf(entry?.blackboard).find((e) => e.item.id === id)?.item };
  const offered = entry ? itemsOf(entry.blackboard).filter((e) => itemActions(entry.run, e.section, e.item).includes(action)) : [];
  if (offered.length === 0) {
    ctx.notify('info', `No item of run ${ref.run_id} fits “${placeHolder}”.`);
    throw new Cancelled();
  }
  const picked = await vscode.window.showQuickPick(
    offered.map((e) => ({ label: firstLine(e.item.text), detail: e.item.id, item: e.item })),
    { placeHolder, matchOnDetail: true },
  );
  if (!picked) throw new Cancelled();
  return { ref, id: picked.item.id, item: picked.item };
}

interface ClosingSpec {
  action: ItemAction;
  placeHolder: string;
  /** The op's own fields (text, note, reason …), from the argument or asked for. */
  ask: (arg: unknown, target: Target) => Promise<Record<string, unknown>>;
}

function closingCommand(ctx: RunboardContext, spec: ClosingSpec): CommandSpec {
  const { op, idKey, command } = ITEM_ACTION[spec.action];
  return {
    id: command,
    writes: true,
    run: async (arg) => {
      const target = await targetFromArg(ctx, arg, spec.action, spec.placeHolder);
      const fields = await spec.ask(arg, target);
      const result = await ctx.server.request(Requests.patchBlackboard, {
        root: target.ref.root,
        run_id: target.ref.run_id,
        op,
        payload: { [idKey]: target.id, ...fields, by: config.agentId(ctx.model.folderOf(target.ref.root)?.uri) },
      });
      ctx.model.invalidate(target.ref);
      return result.patch;
    },
  };
}

const about = (target: Target) => (target.item ? `“${firstLine(target.item.text, 60)}”` : target.id);
const required = (what: string) => (v: string) => (v.trim() ? undefined : `${what} must not be empty.`);

/** An op whose one field is an optional note (`key`): sent only when the person wrote one. */
function optionalNote(key: string, verb: string, prompt: string): ClosingSpec['ask'] {
  return async (arg, target) => {
    const text = (await askText(arg, key, { title: `${verb} ${about(target)}`, prompt })).trim();
    return text ? { [key]: text } : {};
  };
}

/** The decision an answer records: `decision` in the argument (text, or true for the answer itself), else asked. */
async function askDecision(arg: unknown, answer: string, title: string): Promise<string | undefined> {
  const given = argField(arg, 'decision', 'string') ?? argField(arg, 'decision', 'boolean');
  if (given !== undefined) return given === true ? answer : given || undefined;
  if (argField(arg, 'text', 'string') !== undefined) return undefined;
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Record the answer only', decide: false },
      { label: 'Also record it as a decision', detail: 'A decision that names this question', decide: true },
    ],
    { title, ignoreFocusOut: true },
  );
  if (!choice) throw new Cancelled();
  if (!choice.decide) return undefined;
  return askText(undefined, 'decision', { title, prompt: 'The decision', value: answer, validateInput: required('The decision') });
}

export function closingItemCommands(ctx: RunboardContext): CommandSpec[] {
  return [
    closingCommand(ctx, {
      action: 'answer',
      placeHolder: 'Answer which question?',
      ask: async (arg, target) => {
        const title = `Answer ${about(target)}`;
        const text = await askText(arg, 'text', { title, prompt: 'The answer', validateInput: required('The answer') });
        const decision = await askDecision(arg, text.trim(), title);
        return { text: text.trim(), ...(decision ? { decision } : {}) };
      },
    }),
    closingCommand(ctx, {
      action: 'resolve',
      placeHolder: 'Resolve which question?',
      ask: optionalNote('note', 'Resolve', 'Why it needs no answer (optional)'),
    }),
    closingCommand(ctx, {
      action: 'reopen',
      placeHolder: 'Reopen which question?',
      ask: optionalNote('reason', 'Reopen', 'Why it is open again (optional)'),
    }),
    closingCommand(ctx, {
      action: 'supersede',
      placeHolder: 'Supersede which decision?',
      ask: async (arg, target) => {
        const text = await askText(arg, 'text', {
          title: `Supersede ${about(target)}`,
          prompt: 'The decision that replaces it',
          value: target.item?.text,
          validateInput: required('The decision'),
        });
        // The new decision belongs to the step the old one did, unless told otherwise.
        const stepId = argField(arg, 'step_id', 'string') ?? target.item?.step_id;
        return { text: text.trim(), ...(stepId ? { step_id: stepId } : {}) };
      },
    }),
  ];
}

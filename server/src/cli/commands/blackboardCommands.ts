// fact|decision|question add, artifact add: blackboard patches.
import { BlackboardOp } from '../../../../contract/schemas/records';
import { oneLine } from '../table';
import { Invocation } from '../invocation';

async function addItem(op: BlackboardOp, payload: Record<string, unknown>, { session, out }: Invocation): Promise<void> {
  const result = await session.execute('patchBlackboard', session.withCommandId({ run_id: await session.runId(), op, payload }));
  const item = result.patch.payload as { id: string; text?: string; path?: string };
  out.result(result, () => `Added ${item.id} (#${result.patch.seq}): ${oneLine(item.text ?? item.path ?? '', 80)}`);
}

const textItem = (op: BlackboardOp) => (inv: Invocation) =>
  addItem(op, { text: inv.args[0], ...(inv.opts.step !== undefined ? { step_id: inv.opts.step } : {}) }, inv);

export const fact = textItem('add_fact');
export const decision = textItem('add_decision');
export const question = textItem('add_open_question');

export const artifact = (inv: Invocation) =>
  addItem(
    'add_artifact',
    {
      path: inv.args[0],
      artifact_type: inv.opts.type ?? 'file',
      ...(inv.opts.step !== undefined ? { step_id: inv.opts.step } : {}),
    },
    inv,
  );

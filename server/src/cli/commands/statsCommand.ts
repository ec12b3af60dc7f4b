// stats: how a run's work went (PROTOCOL.md §runStats) — per task wait, work, claims (the protocol's attempts) and agent,
// and cycle times per task type and per agent; --json prints the protocol's result.
import type { CycleTimes, RunStatsResult } from '../../../../contract/results';
import type { Invocation } from '../invocation';
import { renderTable } from '../table';
import { formatSpan } from '../../../../contract/taskText';

export async function stats({ session, out, args, opts }: Invocation): Promise<void> {
  const result = await session.execute('runStats', { run_id: await session.runId(args[0]), slices: opts.slices as number | undefined });
  out.result(result, () => statsText(result));
}

function statsText(r: RunStatsResult): string {
  const tasks = renderTable(
    ['task', 'type', 'status', 'claims', 'agent', 'wait', 'work'],
    r.tasks.map((t) => [t.task_id, t.task_type, t.status, String(t.attempts), t.agent ?? '', duration(t.wait_ms), duration(t.work_ms)]),
  );
  const done = r.over_time.reduce((n, s) => n + s.done, 0);
  return [
    tasks,
    '',
    `${done} done (seq ${r.seq})`,
    throughput(r.over_time),
    cycles('cycle time by type', r.cycle_by_type),
    cycles('cycle time by agent', r.cycle_by_agent),
  ]
    .filter((part) => part !== '')
    .join('\n');
}

const BARS = '▁▂▃▄▅▆▇█';

/** Tasks done per time slice (--slices), as one line of bars: when the work went fast or stalled. */
function throughput(slices: RunStatsResult['over_time']): string {
  if (slices.length < 2 || slices.every((s) => s.done === 0)) return '';
  const most = Math.max(...slices.map((s) => s.done));
  const bars = slices
    .map((s) => (s.done === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((s.done / most) * BARS.length))]))
    .join('');
  const width = slices[1].end_ms - slices[0].end_ms;
  return `done per ${formatSpan(width)} (${slices.length} slices, at most ${most}): |${bars}|`;
}

function cycles(title: string, rows: CycleTimes[]): string {
  if (rows.length === 0) return '';
  return `\n${title}:\n${renderTable(
    ['', 'tasks', 'mean', 'p90'],
    rows.map((c) => [c.key, String(c.tasks), duration(c.mean_ms), duration(c.p90_ms)]),
  )}`;
}

function duration(ms: number | undefined): string {
  return ms === undefined ? '' : formatSpan(ms);
}

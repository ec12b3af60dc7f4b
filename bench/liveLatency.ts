// Row 8: another process appends an event; how long until the server's runboard/events
// notification for it reaches a subscribed client. This bench process is both the writer (its
// own RunService, as the CLI or an MCP server would be) and the client of dist/server.js, which
// sees the append through its file watcher.
import * as path from 'node:path';
import { benchStore, inTempDir, median, nowMs, percentile, Row, settle } from './harness';
import { BenchServer, EventsNote } from './serverClient';
import { toolCallParams } from './workload';

export interface LiveLatencySize {
  appends: number;
}

const GOAL_P99_MS = 100;

/**
 * For each of `commits` commits (`commit` makes one and returns its seq), the time from its start
 * until `subscriber`'s runboard/events notification holding it arrives, in ms.
 */
export async function deliveryLatencies(
  subscriber: BenchServer,
  runId: string,
  commits: number,
  commit: (i: number) => Promise<number>,
): Promise<number[]> {
  const arrived = new Map<number, number>();
  let waiting: { seq: number; resolve: () => void } | undefined;
  subscriber.conn.onNotification('runboard/events', (n: EventsNote) => {
    const t = nowMs();
    for (const e of n.events) {
      arrived.set(e.seq, t);
      if (waiting && e.seq >= waiting.seq) waiting.resolve();
    }
  });
  await subscriber.call('runboard/subscribe', { run_ids: [runId] });
  const latencies: number[] = [];
  for (let i = 0; i < commits; i++) {
    const t0 = nowMs();
    const seq = await commit(i);
    if (!arrived.has(seq)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no notification for seq ${seq} within 5 s`)), 5000);
        waiting = { seq, resolve: () => (clearTimeout(timer), resolve()) };
      });
      waiting = undefined;
    }
    latencies.push(arrived.get(seq)! - t0);
    if (i % 50 === 49) await settle(1);
  }
  return latencies;
}

/** The p50 (reported) and p99 (goal: under GOAL_P99_MS) rows of delivery latencies. */
export function latencyRows(name: string, latencies: number[], note: string): Row[] {
  const p99 = percentile(latencies, 99);
  return [
    { name: `${name}, p50`, value: median(latencies), unit: 'ms', baseline: null, ratio: null, goal: '(reported)', pass: true, note },
    {
      name: `${name}, p99`,
      value: p99,
      unit: 'ms',
      baseline: null,
      ratio: null,
      goal: `< ${GOAL_P99_MS} ms`,
      pass: p99 < GOAL_P99_MS,
      note,
    },
  ];
}

export async function benchLiveLatency(size: LiveLatencySize): Promise<Row[]> {
  return inTempDir('live', async (dir) => {
    const root = path.join(dir, 'root');
    const runId = 'live';
    const writer = benchStore(root);
    await writer.execute('createRun', { run_id: runId, objective: 'live latency' });
    const server = await BenchServer.start([root], ['--durability', 'none']);
    try {
      const latencies = await deliveryLatencies(server, runId, size.appends, async (i) => {
        const { event } = await writer.execute('appendEvent', toolCallParams(runId, i));
        return event.seq;
      });
      if (process.env.BENCH_DEBUG) console.error(latencies.map((l) => l.toFixed(1)).join(' '));
      const note = `${size.appends} appends by this process, seen by dist/server.js's watcher; max ${percentile(latencies, 100).toFixed(1)} ms`;
      return latencyRows('live latency', latencies, note);
    } finally {
      await server.stop();
      writer.close();
    }
  });
}

// The demo's sample work: a four-step plan and twelve tasks with dependencies, two of which
// fail on their first attempt so that a watcher sees failure and retry.
import { TaskInput } from '../../../../contract/schemas/params';

export const DEMO_OBJECTIVE = [
  'Survey the reports module and agree on the CSV format',
  'Implement the CSV exporter and the download endpoint',
  'Test the export end to end and fix what breaks',
  'Document the feature and review the change',
].join('\n');

export interface DemoTask {
  id: string;
  step: string;
  type: string;
  title: string;
  deps: string[];
  /** Written by an implementation task (its output target) and recorded as an artifact. */
  output?: string;
  /** The error of its first attempt; it succeeds when retried. */
  failsFirstWith?: string;
  /** What the agent records on the blackboard when done. */
  note?: { kind: 'fact' | 'decision' | 'question'; text: string };
}

export const DEMO_TASKS: DemoTask[] = [
  {
    id: 'T01',
    step: 'step-1',
    type: 'research',
    title: 'Survey how reports are built today',
    deps: [],
    note: { kind: 'question', text: 'Should the export include archived rows?' },
  },
  {
    id: 'T02',
    step: 'step-1',
    type: 'inspection',
    title: 'List the report columns and their types',
    deps: ['T01'],
    note: { kind: 'fact', text: 'Reports have 14 columns; dates are stored as UTC epoch milliseconds.' },
  },
  {
    id: 'T03',
    step: 'step-1',
    type: 'research',
    title: 'Choose the CSV dialect (quoting, encoding, BOM)',
    deps: ['T01'],
    note: { kind: 'decision', text: 'RFC 4180 quoting, UTF-8 with a BOM so spreadsheets open it correctly.' },
  },
  {
    id: 'T04',
    step: 'step-2',
    type: 'implementation',
    title: 'Write the CSV row encoder',
    deps: ['T02', 'T03'],
    output: 'src/reports/csvEncoder.ts',
  },
  {
    id: 'T05',
    step: 'step-2',
    type: 'implementation',
    title: 'Stream large reports in chunks',
    deps: ['T04'],
    output: 'src/reports/csvStream.ts',
  },
  {
    id: 'T06',
    step: 'step-2',
    type: 'implementation',
    title: 'Add the /reports/:id/export.csv endpoint',
    deps: ['T04'],
    output: 'src/routes/reportsExport.ts',
  },
  {
    id: 'T07',
    step: 'step-2',
    type: 'implementation',
    title: 'Add the Export button to the reports page',
    deps: ['T06'],
    output: 'web/reports/ExportButton.tsx',
  },
  {
    id: 'T08',
    step: 'step-3',
    type: 'validation',
    title: 'Unit tests for quoting and encoding edge cases',
    deps: ['T04'],
    failsFirstWith: '2 of 31 assertions failed: embedded newlines are not quoted',
  },
  {
    id: 'T09',
    step: 'step-3',
    type: 'validation',
    title: 'End-to-end test: download a 50k-row report',
    deps: ['T05', 'T06', 'T07'],
    failsFirstWith: 'timed out after 30 s waiting for the download to finish',
  },
  {
    id: 'T10',
    step: 'step-3',
    type: 'fix_proposal',
    title: 'Fix what the tests found',
    deps: ['T08', 'T09'],
    note: { kind: 'fact', text: 'Quoting now covers \\r and \\n; the stream flushes every 1 000 rows.' },
  },
  {
    id: 'T11',
    step: 'step-4',
    type: 'docs',
    title: 'Document the export in the user guide',
    deps: ['T07'],
    output: 'docs/reports/export.md',
  },
  {
    id: 'T12',
    step: 'step-4',
    type: 'inspection',
    title: 'Review the whole change',
    deps: ['T10', 'T11'],
    note: { kind: 'decision', text: 'Ship it behind the reports.csvExport flag for one release.' },
  },
];

export function demoTaskInputs(): TaskInput[] {
  return DEMO_TASKS.map((t) => ({
    id: t.id,
    task_type: t.type,
    workflow_id: 'demo',
    workflow_node_id: t.step,
    depends_on_task_ids: t.deps,
    payload: { title: t.title, ...(t.output ? { output_target: { path: t.output, kind: 'file' } } : {}) },
  }));
}

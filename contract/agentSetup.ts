// What `runboard init` (and the editor's "Set Up Workspace for Agents") writes: .runboard/'s
// .gitignore, and a block of instructions for agents in AGENTS.md (or CLAUDE.md, or
// .github/copilot-instructions.md) between markers, so running it again changes nothing.
import { LEASE } from './limits';

/**
 * Logs, locks, caches and temp files stay out of git: two branches that both append to a log do
 * not merge (peers lost data syncing such files through git). Only this file and a board's
 * config (board.json: which database keeps a shared board) are meant to be committed.
 */
export const RUNBOARD_GITIGNORE = `# Runboard keeps its runs local: logs that two branches append to do not merge.
# Commit this file, and board.json when the board is shared on a database. (Written by \`runboard init\`.)
/*
!/.gitignore
!/board.json
`;

/** The rules of RUNBOARD_GITIGNORE (its lines but the comments): everything in .runboard/ ignored but the files meant to be committed. */
const GITIGNORE_RULES = RUNBOARD_GITIGNORE.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

/**
 * `.runboard/.gitignore` as init leaves it: one that holds the rules already (its owner's lines
 * beside them) as it is; else the rules, with the owner's own lines kept after them — where a
 * line of theirs (`!/notes.md`) still overrides `/*` (until this change init wrote over the file).
 */
export function withGitignoreRules(existing: string | undefined): string {
  if (existing === undefined || existing.trim() === '') return RUNBOARD_GITIGNORE;
  const lines = existing.split(/\r?\n/);
  const at = (rule: string) => lines.findIndex((l) => l.trim() === rule);
  const ignoreAll = at('/*');
  if (ignoreAll >= 0 && GITIGNORE_RULES.every((r) => at(r) >= ignoreAll)) return existing;
  const ours = new Set(RUNBOARD_GITIGNORE.split('\n'));
  const own = lines.filter((l) => l.trim() !== '' && !ours.has(l) && !GITIGNORE_RULES.includes(l.trim()));
  return own.length === 0 ? RUNBOARD_GITIGNORE : `${RUNBOARD_GITIGNORE}${own.join('\n')}\n`;
}

export const INSTRUCTIONS_START = '<!-- runboard:start -->';
export const INSTRUCTIONS_END = '<!-- runboard:end -->';

/** The instructions for agents: the loop, with the CLI and with MCP, and the rules that keep work from being lost. */
export const AGENT_INSTRUCTIONS = `${INSTRUCTIONS_START}
## Shared task board (Runboard)

Work in this repository is tracked as Runboard runs: a run's tasks are claimed with a lease, kept
alive with heartbeats and finished. Claim a task before you work on it, and one task at a time.

With the \`runboard\` CLI (exit codes: 0 ok, 1 rejected — e.g. your lease ended: claim again,
2 wrong call — or no run to work in yet (RUN_REQUIRED: ask the person you work for to create one) —,
3 nothing to claim now, with the reason). First \`export RUNBOARD_AGENT=<a name of your own>\`: the default
id is one per user and machine, so two agents would count as one.

\`\`\`bash
while out="$(runboard claim --wait --timeout 600)"; do   # exit 3 ends the loop: nothing to claim
  eval "$out"                                             # exports RUNBOARD_RUN, RUNBOARD_TASK, RUNBOARD_LEASE_TOKEN, RUNBOARD_AGENT
  runboard tasks show "$RUNBOARD_TASK"                    # what to do, and what it waited for
  # … work, running \`runboard heartbeat\` at least every ${Math.round(LEASE.agentDefaultMs / 2000)} seconds …
  runboard complete --result "what you did"               # or: runboard fail --error "why"
done
\`\`\`

With MCP (the \`runboard\` server): get_run → claim_task → heartbeat_task → complete_task or fail_task.

- A lease lasts ${LEASE.agentDefaultMs / 1000} s unless heartbeated; when it runs out the task goes back to the board and
  the attempt counts as failed.
- \`fail\` hands the task to a person: it stays failed, and the tasks after it wait, until someone retries it.
  To let another agent try it instead, \`runboard release\` it (MCP: release_task).
- A call rejected with TASK_CANCELLED means a person withdrew the task: stop working on it and claim the next.
  Questions you asked may come back answered: \`runboard blackboard\` (or get_run) shows them.
- Record what others need: \`runboard fact add "…"\`, \`runboard decision add "…"\`, \`runboard question add "…"\`.
- Add work you discover as tasks: \`runboard tasks add "…" --after <task_id>\`.
- Several agents at once in one git repository: claim with \`--worktree\` (MCP: claim_task with worktree: true).
  Your task gets a git worktree and branch of its own; work and commit there, then complete: the
  worktree is removed (its branch stays for \`runboard tasks merge\`). Uncommitted changes are refused
  (WORKTREE_UNCOMMITTED): the tasks after yours start from your branch, so commit first.
${INSTRUCTIONS_END}
`;

/** `existing` (a file's text, or undefined when there is none) with the instruction block: added at the end, or put in place of an older one. */
export function withAgentInstructions(existing: string | undefined): string {
  const text = existing ?? '';
  const start = text.indexOf(INSTRUCTIONS_START);
  const end = text.indexOf(INSTRUCTIONS_END);
  if (start >= 0 && end > start) {
    return text.slice(0, start) + AGENT_INSTRUCTIONS.trimEnd() + text.slice(end + INSTRUCTIONS_END.length);
  }
  if (text === '') return AGENT_INSTRUCTIONS;
  return `${text.replace(/\n*$/, '\n\n')}${AGENT_INSTRUCTIONS}`;
}

/** Where agents look for instructions, by the flags of \`runboard init\`. */
export const INSTRUCTION_FILES = { agents: 'AGENTS.md', claude: 'CLAUDE.md', copilot: '.github/copilot-instructions.md' } as const;
export type InstructionFile = keyof typeof INSTRUCTION_FILES;

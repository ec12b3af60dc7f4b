// The CLI on a Node too old for it — an old `node` first on PATH, which the terminal shims prefer
// (client/bin/): run again on the editor's own runtime when the terminal names it (RUNBOARD_NODE),
// else say what to do. Without this, Node 18 failed deep in the thin path (no global crypto) and
// older ones crashed at load. Kept to what any Node parses and has: it runs before anything else.

/** The oldest Node the CLI runs on (package.json `engines`). */
export const MIN_NODE_MAJOR = 20;

/** Marks the run again, so that a runtime that is too old as well is refused, not run again for ever. */
const AGAIN_ENV = 'RUNBOARD_NODE_GATE';

export type NodeGate = { run: true } | { again: string } | { refuse: string };

/** What to do on Node `version` (process.version) at `execPath`. */
export function nodeGate(version: string, execPath: string, env: NodeJS.ProcessEnv): NodeGate {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return { run: true };
  const editor = env.RUNBOARD_NODE;
  if (editor && editor !== execPath && !env[AGAIN_ENV]) return { again: editor };
  return {
    refuse:
      `runboard: it needs Node.js ${MIN_NODE_MAJOR} or later, and this is Node ${version} (${execPath}), the first node on PATH. ` +
      `Install a newer Node.js, or run it from a VS Code terminal with Runboard enabled without this node on PATH (the editor's runtime then runs it).`,
  };
}

/** Returns on a Node new enough; else runs the CLI again on the editor's runtime, or exits saying why. */
export function passNodeGate(): void {
  const gate = nodeGate(process.version, process.execPath, process.env);
  if ('run' in gate) return;
  if ('again' in gate) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const r = spawnSync(gate.again, process.argv.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', [AGAIN_ENV]: '1' },
    });
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`${gate.refuse}\n`);
  process.exit(127);
}

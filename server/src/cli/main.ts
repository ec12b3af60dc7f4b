// Entry point of dist/cli.js, the `runboard` command: runs dist/cli-thin.js (the thin path of the
// agent loop's commands, and the way to the CLI proper) through V8's code cache — compiling its
// 50 KB on every call costs a routed call about a millisecond (BENCHMARKS.md, rows 10c/10d).
import * as path from 'node:path';
import { afterARealCommand, requireWithCodeCache } from './codeCache';
import { passNodeGate } from './nodeVersionGate';

// First: on an old node (first on PATH) the code below cannot run.
passNodeGate();
requireWithCodeCache(path.join(__dirname, 'cli-thin.js'), afterARealCommand);

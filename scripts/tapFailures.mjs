// The failed tests of a TAP report (node's `tap` reporter), each with its diagnostics — what
// run-tests.mjs prints again at the very end of `npm test`, so that the tail of a long CI log
// says why a test failed, not only that it did. A suite that failed because a test in it did
// (`failureType: 'subtestsFailed'`) is left out: its test is listed.

/** At most this many lines of one failure's diagnostics (an assertion's diff can be long). */
const MAX_LINES = 40;
/** Of a stack, the first few frames: where it failed, not node's test runner. */
const STACK_LINES = 6;

/**
 * @param {string} tap
 * @returns {{ name: string, details: string[] }[]}
 */
export function tapFailures(tap) {
  const lines = tap.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!m) continue;
    const indent = m[1];
    const block = [];
    if (lines[i + 1] === `${indent}  ---`) {
      for (let j = i + 2; j < lines.length && lines[j] !== `${indent}  ...`; j++) block.push(lines[j].slice(indent.length + 2));
    }
    if (block.some((l) => l === "failureType: 'subtestsFailed'")) continue;
    out.push({ name: m[2], details: trimmed(block) });
  }
  return out;
}

/** The block without timings, its stack cut to the first frames, and at most MAX_LINES lines. */
function trimmed(block) {
  const kept = [];
  let inStack = false;
  let frames = 0;
  for (const line of block) {
    if (line.startsWith('duration_ms:')) continue;
    if (/^\S/.test(line)) inStack = line.startsWith('stack:');
    else if (inStack && ++frames > STACK_LINES) continue;
    kept.push(line);
  }
  return kept.length > MAX_LINES ? [...kept.slice(0, MAX_LINES), `… ${kept.length - MAX_LINES} more lines`] : kept;
}

// The bounded torture for `npm test` (the full one is `npm run test:torture`).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runTorture } from './torture/run';

const seed = Number(process.env.TORTURE_SEED ?? Date.now() % 1_000_000);

it(`torture: 8 processes, 1 000 commands, chaos kills (seed ${seed})`, { timeout: 600_000 }, async () => {
  const r = await runTorture({ seed, commands: Number(process.env.TORTURE_COMMANDS ?? 1000) });
  console.log(`torture report: ${JSON.stringify(r)}`);
  assert.ok(r.acks > 100, 'enough commands went through');
  assert.ok(r.kills > 0, 'the chaos loop killed writers');
  assert.ok(r.claims > 10, 'tasks were claimed');
  assert.ok(r.routed > 0, 'CLI calls went through the socket server');
});

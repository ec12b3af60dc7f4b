// npm run test:torture [-- --commands 10000 --seed N --runs 10 --keep-log FILE]: the full torture,
// several seeds; --keep-log copies the (last) run's log to FILE (the bench's row 12 measures it).
import { runTorture } from './run';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

void (async () => {
  const commands = arg('commands', 10_000);
  const runs = arg('runs', 1);
  const first = arg('seed', Date.now() % 1_000_000);
  for (let i = 0; i < runs; i++) {
    const seed = first + i;
    process.stdout.write(`torture seed ${seed}, ${commands} commands … `);
    try {
      const keep = process.argv.indexOf('--keep-log');
      const r = await runTorture({ seed, commands, ...(keep >= 0 ? { keepLog: process.argv[keep + 1] } : {}) });
      console.log(`ok: ${JSON.stringify(r)}`);
    } catch (e) {
      console.log(`FAILED (reproduce with --seed ${seed} --commands ${commands})`);
      console.error(e);
      process.exit(1);
    }
  }
  // Done: a client of an agent killed mid-request can leave a timer behind (an MCP SDK request
  // timeout) that would keep this runner alive for a minute after its last line.
  process.exit(0);
})();

import { Pool } from 'pg';
import { runTorture } from '../reliability/torture/run';
import { postgresBoard } from '../reliability/torture/tortureBoards';
import { startPostgres } from './pgHarness';
import { ServerProcess } from '../server/serverProcess';
(async () => {
  const db = await startPostgres();
  const pool = new Pool(db.config);
  pool.on('error', () => undefined);
  process.env.PGPASSWORD = String(db.config.password);
  const origStart = ServerProcess.start;
  (ServerProcess as any).start = async (...a: any[]) => {
    const s = await (origStart as any).apply(ServerProcess, a);
    s.child.on('exit', (code: any, sig: any) => console.log(`server exit ${code} ${sig} stderr: ${s.stderr.slice(-1500)}`));
    return s;
  };
  const board = postgresBoard({
    config: db.config,
    board: 't',
    clones: 2,
    pool,
    restart: async (ms) => {
      await db.stop();
      await new Promise((r) => setTimeout(r, ms));
      await db.start();
    },
  });
  try {
    const r = await runTorture({ seed: 7, commands: 1500, board, log: (l) => console.log(l) });
    console.log(JSON.stringify(r));
  } catch (e) {
    console.log('FAILED', e);
  }
  await pool.end();
  await db.remove();
  process.exit(0);
})();

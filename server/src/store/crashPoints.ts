// Crash points for the reliability tests: with RUNBOARD_CRASH_AT=<point>[:<n>] this process
// kills itself with SIGKILL the n-th time (default 1st) it reaches <point> on the commit path.
// Unset (always, outside those tests) it costs one comparison.
const spec = process.env.RUNBOARD_CRASH_AT;
const [target, nth] = spec ? [spec.split(':')[0], Number(spec.split(':')[1] ?? 1)] : [undefined, 0];
let hits = 0;

export type CrashPoint =
  | 'after-lock'
  | 'partial-write'
  | 'before-fsync'
  | 'before-unlock'
  | 'snapshot-write'
  | 'checkpoint-write';

export function crashPoint(point: CrashPoint): void {
  if (target !== point) return;
  if (++hits >= nth) process.kill(process.pid, 'SIGKILL');
}

export function crashPointArmed(point: CrashPoint): boolean {
  return target === point && hits + 1 >= nth;
}

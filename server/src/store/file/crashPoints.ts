// Crash points for the reliability tests: with RUNBOARD_CRASH_AT=<point>[:<n>] this process
// kills itself with SIGKILL the n-th time (default 1st) it reaches <point> on the commit path.
// Unset (always, outside those tests) it costs one comparison.
const spec = process.env.RUNBOARD_CRASH_AT;
const target = spec?.split(':')[0];
const nth = Number(spec?.split(':')[1] ?? 1);
let hits = 0;

export type CrashPoint =
  | 'after-lock'
  | 'partial-write'
  | 'before-fsync'
  | 'before-unlock'
  | 'snapshot-write'
  | 'checkpoint-write'
  // Archiving and restoring (archive/): after a segment, before the manifest, after the archive is in
  // place and before the run leaves runs/, after the run left and before its folder is removed; the
  // same for a restore.
  | 'archive-segment'
  | 'archive-manifest'
  | 'archive-in-place'
  | 'archive-run-moved'
  | 'restore-log'
  | 'restore-in-place';

/** Counts a visit to `point`; true on the visit that must crash (the caller may do damage first). */
export function crashDue(point: CrashPoint): boolean {
  return target === point && ++hits === nth;
}

export function crashNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

export function crashPoint(point: CrashPoint): void {
  if (crashDue(point)) crashNow();
}

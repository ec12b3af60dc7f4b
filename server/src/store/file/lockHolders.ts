// Who holds a file's lock, when it can be told: on Linux, processes of this user whose open file
// for it carries a lock (/proc/<pid>/fdinfo lists an open file's locks; /proc/locks shows -1 as the
// pid of an OFD lock). Elsewhere, and for other users' processes, it cannot be, and says nothing.
// Only on a lock timeout: it reads every process's descriptor table.
import * as fs from 'node:fs';

export function lockHolderPids(file: string, procDir = '/proc'): number[] {
  if (process.platform !== 'linux') return [];
  let ino: number;
  try {
    ino = fs.statSync(file).ino;
  } catch {
    return [];
  }
  const holders = new Set<number>();
  const locksThisFile = new RegExp(`^lock:.*:${ino} `, 'm');
  let pids: string[];
  try {
    pids = fs.readdirSync(procDir).filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`${procDir}/${pid}/fdinfo`);
    } catch {
      continue; // gone, or not ours
    }
    for (const fd of fds) {
      try {
        const info = fs.readFileSync(`${procDir}/${pid}/fdinfo/${fd}`, 'utf8');
        if (locksThisFile.test(info) && fs.readlinkSync(`${procDir}/${pid}/fd/${fd}`) === file) holders.add(Number(pid));
      } catch {
        // closed meanwhile
      }
    }
  }
  return [...holders];
}

/** " (held by pid 123, a stopped agent?)", or "" when the holder cannot be told. */
export function describeHolders(file: string): string {
  const pids = lockHolderPids(file).filter((p) => p !== process.pid);
  if (pids.length === 0) return '';
  const states = pids.map((p) => {
    try {
      const stopped = /^State:\s+T/m.test(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      return `pid ${p}${stopped ? ', stopped (Ctrl-Z?)' : ''}`;
    } catch {
      return `pid ${p}`;
    }
  });
  return ` (held by ${states.join('; ')})`;
}

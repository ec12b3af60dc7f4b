// A CLI command that waits on the store's watchers (watch, claim --wait): they do not keep a
// process alive — a server has its connection for that — so while `body` runs, this does.
export async function keepingAlive<T>(body: () => Promise<T>): Promise<T> {
  const alive = setInterval(() => undefined, 1 << 30);
  try {
    return await body();
  } finally {
    clearInterval(alive);
  }
}

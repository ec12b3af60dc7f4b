// pgpass (pg's own dependency) ships no types: what Runboard calls of it.
declare module 'pgpass' {
  export interface PgPassTarget {
    host?: string;
    port?: number | string;
    database?: string;
    user?: string;
  }
  /** Calls back with the password of ~/.pgpass (or PGPASSFILE) for `target`, or undefined. */
  function pgPass(target: PgPassTarget, cb: (password: string | undefined) => void): void;
  namespace pgPass {
    /** Where its warnings go (a file it ignores, and why); returns where they went before. */
    function warnTo(stream: NodeJS.WritableStream): NodeJS.WritableStream;
  }
  export default pgPass;
}

// pgpass (pg's own dependency) ships no types: the one function Runboard calls.
declare module 'pgpass' {
  export interface PgPassTarget {
    host?: string;
    port?: number | string;
    database?: string;
    user?: string;
  }
  /** Calls back with the password of ~/.pgpass (or PGPASSFILE) for `target`, or undefined. */
  export default function pgPass(target: PgPassTarget, cb: (password: string | undefined) => void): void;
}

// A problem with a run's files that is not an error of any one request (PROTOCOL.md: the
// runboard/diagnostic notification): a damaged or torn line, an unreadable cache or checkpoint,
// a file that cannot be written. The store reports them in this shape; the server sends them on.
export interface Diagnostic {
  run_id?: string;
  file: string;
  /** 1-based. */
  line?: number;
  message: string;
}

// What the CLI prints and how it ends: a human rendering by default, exactly one JSON document
// with --json; exit codes 0 ok, 1 domain error, 2 usage (bad arguments, invalid params).
import { INTERNAL_ERROR, INVALID_PARAMS } from '../../../contract/errors';
import { DomainError } from '../engine/errors';
import { UsageError } from './usageError';
import { ownTokensOnly } from './leasePrivacy';
import { ParamsError } from '../../../contract/paramsError';
import type { TextSink } from './standardStreams';
import { printable } from './printable';
import { REPEATED_COMMAND_TEXT } from '../../../contract/results';

/** The CLI's exit codes (README, --help): an agent's loop branches on them. */
export const EXIT = { ok: 0, domain: 1, usage: 2, nothingToClaim: 3 } as const;

export class Output {
  /** Lease tokens this invocation holds (--token, RUNBOARD_LEASE_TOKEN, its own claim): the only ones it prints. */
  readonly ownTokens = new Set<string>();
  /** Whether `token` is one this invocation holds: the only tokens it prints, in JSON and in text. */
  readonly owns = (token: string): boolean => this.ownTokens.has(token);
  private readonly replacer = ownTokensOnly(this.owns);

  constructor(
    readonly json: boolean,
    private readonly stdout: TextSink = process.stdout,
    private readonly stderr: TextSink = process.stderr,
  ) {}

  /** Lease tokens given to this invocation (--token, RUNBOARD_LEASE_TOKEN): printed like its own. */
  holding(...tokens: unknown[]): void {
    for (const t of tokens) if (typeof t === 'string' && t.trim()) this.ownTokens.add(t.trim());
  }

  /** The command's result: `value` as JSON, or `human()` as text. */
  result(value: unknown, human: () => string): void {
    if (this.json) this.stdout.write(JSON.stringify(value, this.replacer, 2) + '\n');
    else {
      const text = printable(human());
      if (text !== '') this.stdout.write(text.endsWith('\n') ? text : text + '\n');
      // A command_id seen before is answered as recorded (§Idempotency): said, so "Edited …" is not read as done again. A comment for claim's eval.
      if ((value as { deduped?: unknown } | null)?.deduped === true) this.stdout.write(`# ${REPEATED_COMMAND_TEXT}\n`);
    }
  }

  /** A line for people, never in JSON mode's stdout (progress of long commands goes to stderr there). */
  line(text: string): void {
    (this.json ? this.stderr : this.stdout).write(printable(text) + '\n');
  }

  /** One JSON document per line, for streams (watch --json). */
  jsonLine(value: unknown): void {
    this.stdout.write(JSON.stringify(value, this.replacer) + '\n');
  }

  warn(text: string): void {
    this.stderr.write(printable(text) + '\n');
  }

  /** Reports an error the way the exit code says; returns the exit code. */
  failure(e: unknown): number {
    const { exit, code, message } = describeError(e);
    this.stderr.write(`runboard: ${code === 'USAGE' ? '' : `${code}: `}${printable(message)}\n`);
    if (exit === EXIT.usage && code === 'USAGE' && !this.json) this.stderr.write('Run `runboard --help` for usage.\n');
    if (this.json) this.errorDocument(e);
    return exit;
  }

  /** With --json, the error as the one JSON document on stdout: {error: {code, message, data?}}. */
  errorDocument(e: unknown): void {
    const { code, message, data } = describeError(e);
    this.stdout.write(JSON.stringify({ error: { code, message, ...(data ? { data } : {}) } }, null, 2) + '\n');
  }
}

interface ErrorReport {
  exit: number;
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export function describeError(e: unknown): ErrorReport {
  if (e instanceof DomainError) return { exit: EXIT.domain, code: e.code, message: e.message, data: e.toData() };
  if (e instanceof ParamsError) {
    return { exit: EXIT.usage, code: INVALID_PARAMS, message: e.message, data: { code: INVALID_PARAMS, issues: e.issues } };
  }
  if (e instanceof UsageError) return { exit: EXIT.usage, code: e.code, message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  if (process.env.RUNBOARD_DEBUG) process.stderr.write(`${err.stack}\n`);
  return { exit: EXIT.domain, code: INTERNAL_ERROR, message: err.message };
}

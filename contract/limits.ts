// Numbers every side agrees on (PROTOCOL.md): lease lengths, size limits, durability.

/** Lease length rules (PROTOCOL.md §claimTask): the default, and the bounds a request is clamped to. */
export const LEASE = {
  defaultMs: 30_000,
  minMs: 5_000,
  maxMs: 300_000,
  /**
   * What the CLI, MCP and the editor ask for when told nothing else (the protocol default stays
   * 30 s): a model's turn often takes longer than 30 s, and an expiry costs an attempt.
   */
  agentDefaultMs: 120_000,
} as const;

/** The environment variable that tells the CLI and MCP servers an agent's lease length (the editor sets it from runboard.defaultLeaseMs). */
export const LEASE_ENV = 'RUNBOARD_LEASE_MS';

/** Size limits (PROTOCOL.md §Errors, LIMIT_EXCEEDED). */
export const LIMITS = {
  paramsBytes: 1024 * 1024,
  batchTasks: 500,
  runTasks: 100_000,
  textBytes: 64 * 1024,
  eventsPerRead: 10_000,
  /** Plan steps given at creation (createRun's `steps`). */
  steps: 50,
  /**
   * The highest seq an event may carry: no run reaches it, and the next seq after it is still an
   * exact integer (2^53 is not), so a hand-edited seq near 2^53 is damage, never where writes go on.
   */
  seq: 2 ** 50,
} as const;

/**
 * Bounds of the whole numbers people give as params (PROTOCOL.md): the params' schemas check
 * them, and the CLI checks its flags against the same, so a refusal names the flag, in its unit.
 */
export const NUMBER_BOUNDS = {
  priority: { min: -2_147_483_648, max: 2_147_483_647 },
  maxAttempts: { min: 1, max: 1_000_000 },
  leaseWarningMs: { min: 0, max: 3_600_000 },
  slices: { min: 1, max: 200 },
} as const;

export type NumberBounds = { readonly min: number; readonly max: number };

/** Whether a commit is fsynced before it is acknowledged (PROTOCOL.md §Transport: initialization options). */
export const DURABILITIES = ['fsync', 'none'] as const;

/** The most days a finished run waits to be archived (runboard.archiveAfterDays, serve --archive-after-days): 100 years. */
export const ARCHIVE_AFTER_DAYS_MAX = 36_500;
export type Durability = (typeof DURABILITIES)[number];

/** How long a command may wait for the platform, in all, when nothing else is said. */
export const DEFAULT_BUDGET_MS = 15_000;

/**
 * One time budget for everything a command asks the platform. Requests made one after another (a probe, then
 * discovery when the probe fails) share it, so a platform that never answers holds the command for the budget,
 * not for the budget once per request, and the message can say how long kplane really waited.
 */
export class Deadline {
  readonly at: number;

  constructor(
    readonly budgetMs: number = DEFAULT_BUDGET_MS,
    now = Date.now(),
  ) {
    this.at = now + budgetMs;
  }

  remainingMs(now = Date.now()): number {
    return Math.max(0, this.at - now);
  }
}

/** "15s", "0.5s": a budget as people read it. */
export function formatBudget(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

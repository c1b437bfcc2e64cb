/**
 * Reads with `get` until `done` says the answer is what the command waits for, pausing `intervalMs` between
 * reads; past `timeoutMs` it throws what `timedOut` makes of the last answer. The platform's controllers act
 * within milliseconds, so a short poll is simpler than a watch and as quick.
 */
export async function pollUntil<T>(
  get: () => Promise<T>,
  done: (value: T, elapsedMs: number) => boolean,
  options: { timeoutMs: number; intervalMs: number; timedOut: (last: T) => Error },
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await get();
    const elapsedMs = Date.now() - started;
    if (done(value, elapsedMs)) return value;
    if (elapsedMs > options.timeoutMs) throw options.timedOut(value);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

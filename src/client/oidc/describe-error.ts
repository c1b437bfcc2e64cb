/** openid-client wraps network failures ("something went wrong"); the cause is what a person can act on. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  return cause ? `${error.message}: ${cause.message}` : error.message;
}

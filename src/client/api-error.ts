/** A Kubernetes `Status` failure answered by the server, kept whole so callers can branch on code and reason. */
export interface KubernetesStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string };
}

export class ApiStatusError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(
    code: number,
    readonly status: KubernetesStatus,
  ) {
    super(status.message || `the server answered ${code}`);
    this.name = 'ApiStatusError';
    this.code = code;
    this.reason = status.reason ?? '';
  }
}

export function isStatusCode(error: unknown, code: number): error is ApiStatusError {
  return error instanceof ApiStatusError && error.code === code;
}

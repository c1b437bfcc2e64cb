/**
 * Every failure a user can meet is one of these kinds; each kind has its own exit code so scripts can branch
 * on what went wrong without parsing messages. The table is documented in the README.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  accessDenied: 4,
  unreachable: 5,
  kubeconfig: 6,
  conflict: 7,
  // A --wait whose --timeout ran out: the change was made, the platform has not finished with it.
  timeout: 8,
  // 128 + SIGINT, what shells report for Ctrl-C: the user stopped a prompt and nothing changed.
  cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class KplaneError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.failure,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends KplaneError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

export class NotFoundError extends KplaneError {
  constructor(message: string) {
    super(message, ExitCode.notFound);
  }
}

/** A --timeout that ran out: its own exit code, so a script can tell it from a failed rollout. */
export class TimedOutError extends KplaneError {
  constructor(message: string) {
    super(message, ExitCode.timeout);
  }
}

export class AccessDeniedError extends KplaneError {
  constructor(message: string) {
    super(message, ExitCode.accessDenied);
  }
}

export class UnreachableError extends KplaneError {
  constructor(message: string) {
    super(message, ExitCode.unreachable);
  }
}

export class KubeconfigError extends KplaneError {
  constructor(message: string) {
    super(message, ExitCode.kubeconfig);
  }
}

export class ConflictError extends KplaneError {
  constructor(message: string) {
    super(message, ExitCode.conflict);
  }
}

/**
 * Errors raised by modules that know nothing of exit codes (path grammar, kubeconfig parsing) are mapped here
 * by name, so those modules stay free of CLI concerns.
 */
const exitCodeByErrorName: Record<string, ExitCodeValue> = {
  InvalidWorkspacePathError: ExitCode.usage,
  CannotGoUpError: ExitCode.usage,
  KubeconfigParseError: ExitCode.kubeconfig,
  KubeconfigLockError: ExitCode.kubeconfig,
  KubeconfigReadError: ExitCode.kubeconfig,
  KubeconfigWriteError: ExitCode.kubeconfig,
  KubeconfigReadOnlyError: ExitCode.kubeconfig,
  NoCurrentContextError: ExitCode.kubeconfig,
  KubeconfigNotFoundError: ExitCode.kubeconfig,
  KubeconfigEditError: ExitCode.kubeconfig,
  KubeconfigEntryError: ExitCode.kubeconfig,
  KubeconfigContextError: ExitCode.kubeconfig,
  ContextNotFoundError: ExitCode.kubeconfig,
  ClusterNotFoundError: ExitCode.kubeconfig,
  NoPreviousWorkspaceError: ExitCode.notFound,
  // The current context points at no workspace: like no previous one, there is nothing to act on.
  NotAWorkspaceError: ExitCode.notFound,
  ContextExistsError: ExitCode.conflict,
};

/** What a Kubernetes Status code means for a script, when nobody turned it into a friendlier error first. */
const exitCodeByHttpStatus: Record<number, ExitCodeValue> = {
  400: ExitCode.usage,
  401: ExitCode.accessDenied,
  403: ExitCode.accessDenied,
  404: ExitCode.notFound,
  409: ExitCode.conflict,
  422: ExitCode.usage,
};

export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof KplaneError) return error.exitCode;
  if (error instanceof Error) {
    const mapped = exitCodeByErrorName[error.name] ?? exitCodeByErrorName[error.constructor.name];
    if (mapped !== undefined) return mapped;
    const httpStatus = (error as { code?: unknown }).code;
    if (error.name === 'ApiStatusError' && typeof httpStatus === 'number') {
      return exitCodeByHttpStatus[httpStatus] ?? ExitCode.failure;
    }
  }
  return ExitCode.failure;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

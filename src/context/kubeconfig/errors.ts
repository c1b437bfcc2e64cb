// Typed kubeconfig errors. Every message says which file, and that nothing was changed where that matters.

export class KubeconfigParseError extends Error {
  override readonly name = 'KubeconfigParseError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`kubeconfig ${file} could not be read: ${problem}. Nothing was changed; fix or remove the file.`);
  }
}

export class KubeconfigReadError extends Error {
  override readonly name = 'KubeconfigReadError';
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`cannot read kubeconfig ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** `--kubeconfig` names a file that does not exist (client-go requires the explicit file to exist). */
export class KubeconfigNotFoundError extends Error {
  override readonly name = 'KubeconfigNotFoundError';
  constructor(readonly file: string) {
    super(`kubeconfig ${file} does not exist`);
  }
}

export class KubeconfigLockError extends Error {
  override readonly name = 'KubeconfigLockError';
  constructor(
    readonly lockFile: string,
    message: string,
  ) {
    super(message);
  }
}

/** The spliced text did not come out as intended; raised before anything is written. */
export class KubeconfigEditError extends Error {
  override readonly name = 'KubeconfigEditError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`cannot update kubeconfig ${file}: ${problem}. Nothing was changed.`);
  }
}

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

/** What a failed file call means, in words and without Node's prefix ("ENOSPC: …, write"). */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EROFS: 'read-only file system',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EIO: 'input/output error',
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Writing the new kubeconfig failed (full disk, read-only file system, permissions); the old file is intact. */
export class KubeconfigWriteError extends Error {
  override readonly name = 'KubeconfigWriteError';
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`cannot write kubeconfig ${file}: ${describeFileError(cause)}; the file is unchanged.`, { cause });
  }
}

/**
 * The kubeconfig is not writable for its owner (e.g. mode 0400) or not for us: kubectl refuses to change it, and
 * so does kplane, even as root, although an atomic rename would only need the folder to be writable.
 */
export class KubeconfigReadOnlyError extends Error {
  override readonly name = 'KubeconfigReadOnlyError';
  constructor(
    readonly file: string,
    mode: number,
  ) {
    super(
      `kubeconfig ${file} is read-only (mode ${(mode & 0o7777).toString(8).padStart(4, '0')}); ` +
        `nothing was changed. Make it writable (chmod u+w ${file}) or choose another file with --kubeconfig.`,
    );
  }
}

/** No current context to act in: no file, an empty one, or one that names none. The message says which. */
export class NoCurrentContextError extends Error {
  override readonly name = 'NoCurrentContextError';
}

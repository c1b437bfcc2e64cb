/**
 * etcd cannot be reached or has no quorum: the write did not happen (or its outcome is unknown to
 * this replica) and a read cannot vouch that it is current. The server answers 503 with a Status.
 */
export class StorageUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StorageUnavailableError';
  }
}

/**
 * The resourceVersion asked for is older than etcd's compacted revision: its history is gone. The
 * server answers 410 Gone (reason Expired), and the client lists afresh.
 */
export class ResourceExpiredError extends Error {
  constructor(
    readonly requestedRevision: number,
    readonly compactedRevision: number,
  ) {
    super(
      `too old resource version: ${requestedRevision} (${compactedRevision}); list again to get a current resourceVersion`,
    );
    this.name = 'ResourceExpiredError';
  }
}

/**
 * A transaction kept losing the compare-and-swap to writes from other replicas and gave up after its
 * retries. The server answers 409 Conflict, and the client retries as it does for any conflict.
 */
export class StorageConflictError extends Error {
  constructor(readonly attempts: number) {
    super(
      `the object has been modified by another writer ${attempts} times while this change was being made; please apply your changes to the latest version and try again`,
    );
    this.name = 'StorageConflictError';
  }
}

/** The etcd binary is not on this machine; the message names the package that provides it. */
export class EtcdBinaryMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EtcdBinaryMissingError';
  }
}

/**
 * etcd refused a write larger than its --max-request-bytes (1.5 MiB by default). The server answers 413, as
 * kube-apiserver does for an object etcd will not take.
 */
export class StorageRequestTooLargeError extends Error {
  constructor(cause?: unknown) {
    super(
      "the change is larger than this platform's storage accepts in one write (etcd's --max-request-bytes, 1.5 MiB unless raised): make the object smaller, or split it",
      { cause },
    );
    this.name = 'StorageRequestTooLargeError';
  }
}

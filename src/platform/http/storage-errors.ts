import {
  ResourceExpiredError,
  StorageConflictError,
  StorageRequestTooLargeError,
  StorageUnavailableError,
} from '../storage/etcd/errors.js';
import { ApiError } from './errors.js';

/**
 * What a client hears when storage fails, in kube-apiserver's words: etcd unreachable or without
 * quorum is 503 (kubectl and client-go retry it), history compacted away is 410 Expired (a watcher
 * lists again), a transaction that kept losing to other replicas is 409 Conflict, and a write larger than
 * etcd takes is 413. Undefined for
 * an error that is not storage's.
 */
export function storageApiError(err: unknown): ApiError | undefined {
  if (err instanceof StorageUnavailableError)
    return new ApiError(503, 'ServiceUnavailable', `storage is unavailable: ${err.message}`, {
      causes: [{ reason: 'UnexpectedServerResponse', message: err.message }],
      retryAfterSeconds: 1,
    });
  if (err instanceof ResourceExpiredError) return new ApiError(410, 'Expired', err.message);
  if (err instanceof StorageConflictError) return new ApiError(409, 'Conflict', err.message);
  if (err instanceof StorageRequestTooLargeError)
    return new ApiError(413, 'RequestEntityTooLarge', err.message);
  return undefined;
}

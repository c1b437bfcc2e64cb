import { describe, expect, it } from 'vitest';
import { translateEtcdError } from './client.js';
import { ResourceExpiredError, StorageRequestTooLargeError, StorageUnavailableError } from './errors.js';

const grpcError = (message: string, code?: number) => Object.assign(new Error(message), code ? { code } : {});

describe('translateEtcdError', () => {
  it.each([
    ['14 UNAVAILABLE: No connection established', 14],
    ['etcdserver: no leader', undefined],
    ['etcdserver: leader changed', undefined],
    ['etcdserver: unhealthy cluster', undefined],
  ])('makes %s a storage-unavailable error (503)', (message, code) => {
    expect(translateEtcdError(grpcError(message, code))).toBeInstanceOf(StorageUnavailableError);
  });

  it("says why etcd is unreachable without gRPC's status prefix and resolver notes", () => {
    const refused = grpcError(
      '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
      14,
    );
    expect((translateEtcdError(refused) as Error).message).toBe(
      'etcd is unavailable: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect((translateEtcdError(grpcError('etcdserver: no leader')) as Error).message).toBe(
      'etcd is unavailable: etcdserver: no leader',
    );
  });

  it.each([
    ['3 INVALID_ARGUMENT: etcdserver: request is too large', 3],
    ['8 RESOURCE_EXHAUSTED: grpc: received message larger than max (2500580 vs. 2097152)', 8],
  ])('makes %s a request-too-large error (413), naming the limit and not gRPC', (message, code) => {
    const translated = translateEtcdError(grpcError(message, code)) as Error;
    expect(translated).toBeInstanceOf(StorageRequestTooLargeError);
    expect(translated.message).toMatch(/--max-request-bytes/);
    expect(translated.message).not.toMatch(/grpc|RESOURCE_EXHAUSTED/);
  });

  it('says a timed-out write may still have been made, as kube-apiserver does', () => {
    for (const err of [
      grpcError('4 DEADLINE_EXCEEDED: Deadline exceeded', 4),
      grpcError('etcdserver: request timed out'),
    ]) {
      const translated = translateEtcdError(err);
      expect(translated).toBeInstanceOf(StorageUnavailableError);
      expect((translated as Error).message).toMatch(/may or may not have been made/);
    }
  });

  it("names the deadline it gave etcd, not gRPC's account of its last retry, in a timeout's message", () => {
    const translated = translateEtcdError(
      grpcError('4 DEADLINE_EXCEEDED: Deadline exceeded after 0.001s,waiting for name resolution', 4),
      0,
      3000,
    ) as StorageUnavailableError;
    expect(translated.message).toBe(
      'etcd did not answer within 3 s; a change sent may or may not have been made',
    );
    expect((translated.cause as Error).message).toMatch(/DEADLINE_EXCEEDED/);
  });

  it('makes a read of compacted history a 410', () => {
    const translated = translateEtcdError(
      grpcError('etcdserver: mvcc: required revision has been compacted', 11),
      7,
    );
    expect(translated).toBeInstanceOf(ResourceExpiredError);
    expect((translated as ResourceExpiredError).requestedRevision).toBe(7);
  });

  it('tells what to change when a transaction is too large for etcd', () => {
    const translated = translateEtcdError(grpcError('etcdserver: too many operations in txn request', 3));
    expect((translated as Error).message).toMatch(/--max-txn-ops/);
  });

  it('leaves other errors as they are', () => {
    const err = grpcError('etcdserver: permission denied', 7);
    expect(translateEtcdError(err)).toBe(err);
  });
});

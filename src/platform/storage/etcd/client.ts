import { readFileSync } from 'node:fs';
import type { Etcd3, IOptions, IRangeResponse, ITxnRequest, ITxnResponse, IRangeRequest } from 'etcd3';
import { ResourceExpiredError, StorageRequestTooLargeError, StorageUnavailableError } from './errors.js';

export interface EtcdTlsFiles {
  /** The CA that signed etcd's serving certificate. */
  caFile: string;
  /** The client certificate and its key, when etcd asks for client certificates (--client-cert-auth). */
  certFile?: string;
  keyFile?: string;
}

export interface EtcdConnectionOptions {
  /** Client URLs of the members, e.g. http://127.0.0.1:2379 (https:// with `tls`). */
  endpoints: string[];
  tls?: EtcdTlsFiles;
  /**
   * How long one call may take before it counts as etcd being unavailable. etcd itself gives up on a
   * proposal without quorum only after its request timeout (several seconds), so the deadline is ours.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 3000;

/** The few etcd RPCs the store makes, each with a deadline and with etcd's failures turned into typed errors. */
export class EtcdConnection {
  private constructor(
    readonly client: Etcd3,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Connects lazily: the `etcd3` package (and gRPC under it) is imported here, so a platform on SQLite
   * never loads it.
   */
  static async connect(options: EtcdConnectionOptions): Promise<EtcdConnection> {
    const { Etcd3 } = await import('etcd3');
    const etcdOptions: IOptions = {
      hosts: options.endpoints,
      ...(options.tls ? { credentials: readTlsFiles(options.tls) } : {}),
      // etcd3's default opens a circuit for 5 s after three failures on a member; the store would then
      // stay unavailable for seconds after etcd is back. Every call has a deadline instead, and the
      // default retry over the other members still moves past a dead one.
      faultHandling: { host: () => passThrough },
      // gRPC refuses answers over 4 MiB by default, and one watch response carries a whole transaction
      // with the previous values: a tenant deleting a namespace of large objects would break the feed of
      // every replica for good, and the start-up snapshot of such a keyspace would fail. etcd bounds each
      // value (--max-request-bytes); the answers are bounded by what the platform asks for.
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
    };
    return new EtcdConnection(new Etcd3(etcdOptions), options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  private deadline() {
    return { deadline: Date.now() + this.timeoutMs };
  }

  range(request: IRangeRequest): Promise<IRangeResponse> {
    return this.call(() => this.client.kv.range(request, this.deadline()), request.revision);
  }

  txn(request: ITxnRequest): Promise<ITxnResponse> {
    return this.call(() => this.client.kv.txn(request, this.deadline()));
  }

  async compact(revision: number): Promise<void> {
    await this.call(() => this.client.kv.compact({ revision, physical: true }, this.deadline()));
  }

  close(): void {
    this.client.close();
  }

  private async call<T>(rpc: () => Promise<T>, revision?: string | number): Promise<T> {
    try {
      return await rpc();
    } catch (err) {
      throw translateEtcdError(err, Number(revision ?? 0), this.timeoutMs);
    }
  }
}

const passThrough = {
  execute: <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
} as unknown as ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

function readTlsFiles(tls: EtcdTlsFiles): NonNullable<IOptions['credentials']> {
  return {
    rootCertificate: readFileSync(tls.caFile),
    ...(tls.keyFile ? { privateKey: readFileSync(tls.keyFile) } : {}),
    ...(tls.certFile ? { certChain: readFileSync(tls.certFile) } : {}),
  };
}

const COMPACTED = /required revision has been compacted/;
const TOO_MANY_OPS = /too many operations in txn request/;
const TOO_LARGE = /request is too large|message larger than max/;
/** What local-etcd.ts passes as --max-txn-ops. */
export const LOCAL_MAX_TXN_OPS = 1024;
const UNAVAILABLE =
  /no leader|timed out|leader changed|unhealthy cluster|not capable|too many requests|deadline|unavailable|connect|closed|circuit|No connection established/i;

/**
 * Which of etcd's and gRPC's errors mean "etcd cannot answer now" and which mean "that history is gone".
 * `timeoutMs` is the deadline the call had: a timeout's message names it, because gRPC's own text speaks
 * of its last retry over the members ("Deadline exceeded after 0.001s") and misleads a person.
 */
export function translateEtcdError(err: unknown, revision = 0, timeoutMs?: number): unknown {
  if (!(err instanceof Error)) return err;
  if (COMPACTED.test(err.message)) return new ResourceExpiredError(revision, 0);
  if (TOO_MANY_OPS.test(err.message))
    return new Error(
      `etcd refused a transaction with more operations than its --max-txn-ops allows (128 unless raised; kplane's local etcd runs with ${LOCAL_MAX_TXN_OPS}): start etcd with a larger --max-txn-ops`,
      { cause: err },
    );
  const code = (err as { code?: unknown }).code;
  // etcd's "request is too large", or its gRPC server refusing the message before etcd saw it.
  if (TOO_LARGE.test(err.message)) return new StorageRequestTooLargeError(err);
  // gRPC's UNAVAILABLE (14) and DEADLINE_EXCEEDED (4).
  // A write that timed out may still be committed later, as one kube-apiserver answers with a timeout.
  if (code === 4 || /deadline|timed out/i.test(err.message)) {
    const waited = timeoutMs === undefined ? 'in time' : `within ${timeoutMs / 1000} s`;
    return new StorageUnavailableError(
      `etcd did not answer ${waited}; a change sent may or may not have been made`,
      err,
    );
  }
  if (code === 14 || UNAVAILABLE.test(err.message) || UNAVAILABLE.test(err.name))
    return new StorageUnavailableError(`etcd is unavailable: ${grpcReason(err.message)}`, err);
  return err;
}

/**
 * gRPC's text without its status prefix and resolver notes, which speak of its internals: "14 UNAVAILABLE: No
 * connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note:" becomes
 * "connect ECONNREFUSED 127.0.0.1:1".
 */
export function grpcReason(message: string): string {
  const withoutNotes = message.replace(/\.?\s*Resolution note:.*$/s, '');
  const lastError = /Last error: (?:Error: )?(.*)$/s.exec(withoutNotes)?.[1];
  return (lastError ?? withoutNotes.replace(/^\d+ [A-Z_]+: /, '')).trim();
}

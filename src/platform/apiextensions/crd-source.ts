import type { KubeObject } from '../api/object.js';
import type { DefinitionSource, ResourceDefinition } from '../api/registry.js';
import { schemaSpec } from '../apis/types.js';
import type { EventLog } from '../storage/event-log.js';
import type { ObjectReader } from '../auth/rbac/objects.js';
import { CRDS } from './constants.js';
import { isEstablished } from './crd-status.js';
import { servedVersions, type ServedVersionOptions } from './served-versions.js';

// The registry source for a workspace's own CRDs. Like apiextensions-apiserver's handler, it keeps
// one bundle per CRD (its served versions with validator, defaulter, pruner, columns and schema),
// keyed by the CRD's uid and generation so a status write does not rebuild it, and one list of
// bundles per workspace, dropped when a CRD of that workspace changes (the store's change events
// say so). A request for any other kind costs one map lookup.

const CRD_OPTIONS: ServedVersionOptions = { servedBy: 'by a CustomResourceDefinition' };
const REMEMBERED_WORKSPACES = 256;
const CACHED_BUNDLES = 4096;

export class CrdDefinitions {
  private readonly bundles = new Map<string, ResourceDefinition[]>();
  private readonly workspaces = new Map<string, ResourceDefinition[]>();

  constructor(
    private readonly reader: ObjectReader,
    events: EventLog,
  ) {
    events.subscribe((event) => {
      if (event.key.resource === CRDS) this.workspaces.delete(event.key.cluster);
    });
  }

  /** The served versions of one CRD, built once per uid and generation. */
  bundle(crd: KubeObject): ResourceDefinition[] {
    const key = `${crd.metadata.uid ?? ''}/${crd.metadata.generation ?? ''}`;
    const cached = this.bundles.get(key);
    if (cached) return cached;
    const spec = schemaSpec(crd);
    const defs = spec ? servedVersions(spec, CRD_OPTIONS) : [];
    this.bundles.set(key, defs);
    if (this.bundles.size > CACHED_BUNDLES) this.bundles.delete(this.bundles.keys().next().value!);
    return defs;
  }

  readonly source: DefinitionSource = (cluster) => {
    const known = this.workspaces.get(cluster.id);
    if (known) return known;
    const defs = this.reader
      .list({ cluster: cluster.id, resource: CRDS })
      .map((entry) => entry.object)
      .filter(isEstablished)
      .flatMap((crd) => this.bundle(crd));
    this.workspaces.set(cluster.id, defs);
    if (this.workspaces.size > REMEMBERED_WORKSPACES)
      this.workspaces.delete(this.workspaces.keys().next().value!);
    return defs;
  };
}

import { isPlainObject, type KubeObject } from '../api/object.js';
import type { NameConflict } from './crd-status.js';

// kube-apiserver's naming controller between the CRDs of one group in one workspace: the names a
// CRD asks for (plural, singular, short names, kind, list kind) must not be names another CRD of
// the group has been granted (its status.acceptedNames). A name this CRD already holds stays its
// own, so the first CRD to take a name keeps it; the newcomer gets NamesAccepted=False and is not
// served until the holder goes away or gives the name up. Texts and reasons are kube's; like kube,
// every clash is checked and the last one found names the condition.

type Json = Record<string, unknown>;

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function acceptedNames(crd: KubeObject | undefined): Json {
  return isPlainObject(crd?.status) && isPlainObject(crd.status.acceptedNames)
    ? crd.status.acceptedNames
    : {};
}

/**
 * Why `names` (defaulted spec.names of a CRD of `group`) cannot all be accepted next to `others`
 * (the workspace's other CRDs), given the names `old` (the stored CRD) already holds.
 */
export function crdNameConflict(
  group: string,
  names: Json,
  old: KubeObject | undefined,
  others: KubeObject[],
): NameConflict | undefined {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of others) {
    if (!isPlainObject(other.spec) || other.spec.group !== group) continue;
    const taken = acceptedNames(other);
    for (const name of [text(taken.plural), text(taken.singular), ...strings(taken.shortNames)])
      if (name) resources.add(name);
    for (const kind of [text(taken.kind), text(taken.listKind)]) if (kind) kinds.add(kind);
  }
  const held = acceptedNames(old);
  const heldShortNames = strings(held.shortNames);
  let conflict: NameConflict | undefined;
  const check = (requested: string, accepted: string, inUse: Set<string>, reason: string) => {
    if (requested && requested !== accepted && inUse.has(requested))
      conflict = { reason, message: `"${requested}" is already in use` };
  };
  check(text(names.plural), text(held.plural), resources, 'PluralConflict');
  check(text(names.singular), text(held.singular), resources, 'SingularConflict');
  for (const shortName of strings(names.shortNames))
    if (!heldShortNames.includes(shortName)) check(shortName, '', resources, 'ShortNamesConflict');
  check(text(names.kind), text(held.kind), kinds, 'KindConflict');
  check(text(names.listKind), text(held.listKind), kinds, 'ListKindConflict');
  return conflict;
}

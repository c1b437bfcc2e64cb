// Accept-header negotiation for the representations kubectl asks for: plain JSON, server-side
// Tables, PartialObjectMetadata, and aggregated discovery.

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...rawParams] = part.split(';').map((piece) => piece.trim());
      const params: Record<string, string> = {};
      for (const raw of rawParams) {
        const eq = raw.indexOf('=');
        if (eq > 0)
          params[raw.slice(0, eq).trim().toLowerCase()] = raw
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '');
      }
      return { type: type.toLowerCase(), params };
    })
    .filter((media) => media.type !== '');
}

function isJson(media: MediaType): boolean {
  return media.type === 'application/json' || media.type === 'application/*' || media.type === '*/*';
}

export type ObjectFormat = 'Table' | 'PartialObjectMetadata' | 'json';

/**
 * The first acceptable representation, in the client's order; undefined when none is (406).
 * A `as=Table` entry without `g=meta.k8s.io` or with an unknown version is skipped.
 */
export function negotiateObjectFormat(header: string | undefined): ObjectFormat | undefined {
  const types = parseMediaTypes(header);
  if (types.length === 0) return 'json';
  for (const media of types) {
    if (!isJson(media)) continue;
    const as = media.params.as;
    if (as === undefined) return 'json';
    if (media.params.g !== 'meta.k8s.io' || !['v1', 'v1beta1'].includes(media.params.v ?? '')) continue;
    if (as === 'Table') return 'Table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'PartialObjectMetadata';
  }
  return undefined;
}

/** The aggregated discovery version the client asked for, if it asked before plain JSON. */
export function negotiateDiscovery(header: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const media of parseMediaTypes(header)) {
    if (!isJson(media)) continue;
    if (media.params.as === undefined) return undefined;
    if (media.params.as === 'APIGroupDiscoveryList' && media.params.g === 'apidiscovery.k8s.io') {
      if (media.params.v === 'v2' || media.params.v === 'v2beta1') return media.params.v;
    }
  }
  return undefined;
}

/** The bare media type of a Content-Type header, without parameters. */
export function contentTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../cli/errors.js';

// What `kplane deploy -f` reads: a YAML or JSON file, every .yaml/.yml/.json file of a folder (in
// name order, not recursive, as `kubectl apply -f DIR` does), or stdin for `-`. Multi-document YAML
// and `kind: List` are flattened. Every document must be a Kubernetes object; nothing is sent until
// all of them parsed, so a bad file changes nothing.

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string };
};

const MANIFEST_FILE = /\.(ya?ml|json)$/;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function sources(source: string): Promise<{ name: string; text: string }[]> {
  if (source === '-') return [{ name: 'stdin', text: await readStdin() }];
  try {
    if ((await stat(source)).isDirectory()) {
      const files = (await readdir(source)).filter((f) => MANIFEST_FILE.test(f)).sort();
      return Promise.all(
        files.map(async (f) => ({
          name: path.join(source, f),
          text: await readFile(path.join(source, f), 'utf8'),
        })),
      );
    }
    return [{ name: source, text: await readFile(source, 'utf8') }];
  } catch (error) {
    throw new InvalidInputError(`cannot read ${source}: ${(error as Error).message}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function asManifests(value: unknown, where: string): Manifest[] {
  if (!isObject(value)) throw new InvalidInputError(`${where}: not a Kubernetes object`);
  if (value.kind === 'List' && Array.isArray(value.items))
    return value.items.flatMap((item, i) => asManifests(item, `${where}, item ${i + 1}`));
  const metadata = isObject(value.metadata) ? value.metadata : {};
  if (
    typeof value.apiVersion !== 'string' ||
    typeof value.kind !== 'string' ||
    typeof metadata.name !== 'string'
  )
    throw new InvalidInputError(`${where}: every object needs apiVersion, kind and metadata.name`);
  return [value as Manifest];
}

/** Every object the sources hold, in order, parsed and checked before anything is sent. */
export async function readManifests(from: readonly string[]): Promise<Manifest[]> {
  const { parseAllDocuments } = await import('yaml');
  const manifests: Manifest[] = [];
  const read = (await Promise.all(from.map((source) => sources(source)))).flat();
  for (const { name, text } of read) {
    parseAllDocuments(text).forEach((document, i) => {
      if (document.errors.length > 0) throw new InvalidInputError(`${name}: ${document.errors[0]!.message}`);
      const value: unknown = document.toJS();
      if (value !== null && value !== undefined)
        manifests.push(...asManifests(value, `${name}, document ${i + 1}`));
    });
  }
  if (manifests.length === 0) {
    const named = from.map((source) => (source === '-' ? 'stdin' : source)).join(', ');
    throw new InvalidInputError(
      `${named} ${from.length > 1 ? 'hold' : 'holds'} no Kubernetes objects to deploy`,
    );
  }
  return manifests;
}

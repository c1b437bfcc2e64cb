import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const folder = fileURLToPath(new URL('.', import.meta.url));

describe('the etcd engine', () => {
  it('loads the etcd3 package (and gRPC) only when it connects, never on import', () => {
    const eager: string[] = [];
    for (const file of readdirSync(folder).filter(
      (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
    )) {
      const source = readFileSync(`${folder}/${file}`, 'utf8');
      // Type-only imports vanish from the JavaScript; any other import of etcd3 runs at load time.
      for (const match of source.matchAll(/^import\s+(?!type\b)[^;]*from\s+'(etcd3|@grpc\/[^']+)'/gm))
        eager.push(`${file}: ${match[0]}`);
    }
    expect(eager).toEqual([]);
    expect(readFileSync(`${folder}/client.ts`, 'utf8')).toContain("await import('etcd3')");
  });
});

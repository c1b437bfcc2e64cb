/**
 * The OS keyring through @napi-rs/keyring, pinned to the Secret Service on Linux: the kernel keyring it would
 * otherwise fall back to forgets everything at reboot. Every call resolves to undefined/false instead of
 * throwing, because a machine without a keyring (CI, containers, SSH) is normal, not an error.
 */
const service = 'kplane';
const keyringTimeoutMs = 5_000;

type AsyncEntryClass = typeof import('@napi-rs/keyring').AsyncEntry;

async function entryFor(account: string): Promise<InstanceType<AsyncEntryClass> | undefined> {
  try {
    const { AsyncEntry } = await import('@napi-rs/keyring');
    return new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
  } catch {
    return undefined;
  }
}

async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), keyringTimeoutMs);
  try {
    return await work(controller.signal);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export async function readKeyringSecret(account: string): Promise<string | undefined> {
  const entry = await entryFor(account);
  if (!entry) return undefined;
  return (await withTimeout((signal) => entry.getPassword(signal))) ?? undefined;
}

/** True only when the secret reads back: a keyring that accepts a write but cannot return it is no keyring. */
export async function writeKeyringSecret(account: string, secret: string): Promise<boolean> {
  const entry = await entryFor(account);
  if (!entry) return false;
  const stored = await withTimeout(async (signal) => {
    await entry.setPassword(secret, signal);
    return true;
  });
  return stored === true && (await readKeyringSecret(account)) === secret;
}

export async function deleteKeyringSecret(account: string): Promise<boolean> {
  const entry = await entryFor(account);
  if (!entry) return false;
  return (await withTimeout((signal) => entry.deleteCredential(signal))) === true;
}

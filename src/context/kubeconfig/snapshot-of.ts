import { clientSettingsFor, type ClientSettings } from './client-settings.js';
import type { KubeconfigSnapshot } from './snapshot-cache.js';
import type { MergedKubeconfig } from './types.js';

/** What the snapshot cache may keep of a config: never an inline token or key. */
export function snapshotOf(config: MergedKubeconfig): KubeconfigSnapshot | undefined {
  if (config.currentContext === '') return undefined;
  let settings: ClientSettings;
  try {
    settings = clientSettingsFor(config);
  } catch {
    return undefined;
  }
  const holdsSecret = Boolean(settings.token || settings.clientKeyData);
  return {
    currentContext: config.currentContext,
    server: settings.server,
    ...(holdsSecret ? {} : { settings }),
  };
}

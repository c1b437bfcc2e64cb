import type { ClientSettings, ExecCredentialConfig } from '../context/kubeconfig/client-settings.js';

/** Everything needed to reach a platform and prove who we are, taken from one kubeconfig context. */
export interface Connection {
  /** Origin plus any path prefix in front of `/clusters/`, without a trailing slash. */
  baseUrl: string;
  certificateAuthorityData?: string;
  certificateAuthorityFile?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  token?: string;
  tokenFile?: string;
  exec?: ExecCredentialConfig;
  /**
   * A token that changes during the client's life (the agent's hub credential, renewed before it expires):
   * read on every request instead of once. Never from a kubeconfig.
   */
  currentToken?: () => string;
  /**
   * The person accepted that the token crosses plain HTTP (`login --insecure-plaintext-token`, in this
   * process). Never read from a kubeconfig: a kubeconfig cannot give that consent.
   */
  plaintextTokenAccepted?: boolean;
}

export function connectionFromSettings(settings: ClientSettings, baseUrl: string): Connection {
  return {
    baseUrl,
    certificateAuthorityData: settings.certificateAuthorityData,
    certificateAuthorityFile: settings.certificateAuthority,
    insecureSkipTlsVerify: settings.insecureSkipTlsVerify,
    tlsServerName: settings.tlsServerName,
    token: settings.token,
    tokenFile: settings.tokenFile,
    exec: settings.exec,
  };
}

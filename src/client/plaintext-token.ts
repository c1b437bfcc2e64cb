import { InvalidInputError } from '../cli/errors.js';

// A bearer token sent over plain HTTP can be read and replayed by anyone who sees the traffic. kplane
// sends one to an http:// platform only when the person said so at login, with this flag; the consent
// is recorded with the stored token, so every later `auth token` and kplane request can check it.

export const INSECURE_PLAINTEXT_TOKEN_FLAG = '--insecure-plaintext-token';

export function isPlainHttp(url: string): boolean {
  return /^http:/i.test(url);
}

/** `login` against an http:// URL without the flag. */
export function plaintextLoginRefused(platform: string): InvalidInputError {
  return new InvalidInputError(
    `refusing to send a token in clear text to ${platform}: use https://, or pass ` +
      `${INSECURE_PLAINTEXT_TOKEN_FLAG} to accept that anyone who can see the traffic can take the token and act as you`,
  );
}

/** A stored token for an http:// platform that was not stored with the flag. */
export function plaintextTokenNotConsented(platform: string): InvalidInputError {
  return new InvalidInputError(
    `refusing to send the token for ${platform} in clear text: it was not stored with ${INSECURE_PLAINTEXT_TOKEN_FLAG}; ` +
      `use https://, or run kplane login ${platform} ${INSECURE_PLAINTEXT_TOKEN_FLAG} to accept the risk`,
  );
}

/** A token from anywhere else (inline, a token file, another plugin) on its way to an http:// server. */
export function plaintextTokenRefused(server: string): InvalidInputError {
  return new InvalidInputError(
    `refusing to send a bearer token in clear text to ${server}: use https:// in the kubeconfig ` +
      `(kplane sends a token over http:// only after kplane login ${INSECURE_PLAINTEXT_TOKEN_FLAG})`,
  );
}

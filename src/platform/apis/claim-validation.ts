import type { FieldError } from '../http/errors.js';
import { sameClaim } from './types.js';

/** A claim is named by group, resource and identity hash; naming one twice in a list is an error (kcp's list-map). */
export function duplicateClaimErrors(claims: readonly Record<string, unknown>[]): FieldError[] {
  const errors: FieldError[] = [];
  claims.forEach((claim, i) => {
    if (claims.findIndex((c) => sameClaim(c, claim)) !== i)
      errors.push({
        type: 'Duplicate',
        field: `spec.permissionClaims[${i}]`,
        value: `${String(claim.resource)}.${String(claim.group ?? '')}`,
      });
  });
  return errors;
}

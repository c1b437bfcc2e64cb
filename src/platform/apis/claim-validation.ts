import type { FieldError } from '../http/errors.js';

/** A claim is named by group, resource and identity hash; naming one twice in a list is an error (kcp's list-map). */
export function duplicateClaimErrors(claims: readonly Record<string, unknown>[]): FieldError[] {
  const errors: FieldError[] = [];
  claims.forEach((claim, i) => {
    const same = (c: Record<string, unknown>) =>
      c.group === claim.group &&
      c.resource === claim.resource &&
      (c.identityHash ?? '') === (claim.identityHash ?? '');
    if (claims.findIndex(same) !== i)
      errors.push({
        type: 'Duplicate',
        field: `spec.permissionClaims[${i}]`,
        value: `${String(claim.resource)}.${String(claim.group ?? '')}`,
      });
  });
  return errors;
}

import type { FieldError } from '../http/errors.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import { at, list, str } from './object-paths.js';
import { podTemplateErrors } from './pod-template.js';
import { replicasErrors } from './resource-quantities.js';

// The checks Deployment, ReplicaSet, StatefulSet and DaemonSet share (pkg/apis/apps/validation):
// a selector that is set, not empty, and selects the pods their template describes.

/** Whether a LabelSelector selects these labels. */
export function selects(selector: unknown, labels: unknown): boolean {
  const has = (key: string) => isPlainObject(labels) && Object.hasOwn(labels, key);
  const value = (key: string) => (isPlainObject(labels) ? str(labels[key]) : '');
  const matchLabels = at(selector, 'matchLabels');
  if (isPlainObject(matchLabels))
    for (const [key, wanted] of Object.entries(matchLabels))
      if (!has(key) || value(key) !== str(wanted)) return false;
  for (const expression of list(at(selector, 'matchExpressions')).filter(isPlainObject)) {
    const key = str(expression.key);
    const values = list(expression.values).map(str);
    const ok =
      expression.operator === 'In'
        ? has(key) && values.includes(value(key))
        : expression.operator === 'NotIn'
          ? !has(key) || !values.includes(value(key))
          : expression.operator === 'Exists'
            ? has(key)
            : expression.operator === 'DoesNotExist'
              ? !has(key)
              : false;
    if (!ok) return false;
  }
  return true;
}

function isEmptySelector(selector: unknown): boolean {
  const labels = at(selector, 'matchLabels');
  return (
    (!isPlainObject(labels) || Object.keys(labels).length === 0) &&
    list(at(selector, 'matchExpressions')).length === 0
  );
}

/** Selector, template and replicas of a workload whose pods come from `spec.template`. */
export function replicatedErrors(
  object: KubeObject,
  kindWord: string,
  restartPolicies = ['Always'],
): FieldError[] {
  const errors: FieldError[] = [];
  const selector = at(object, 'spec', 'selector');
  const template = at(object, 'spec', 'template');
  if (selector === undefined || selector === null) {
    errors.push({ type: 'Required', field: 'spec.selector' });
  } else if (isEmptySelector(selector)) {
    errors.push({
      type: 'Invalid',
      field: 'spec.selector',
      value: selector,
      detail: `empty selector is invalid for ${kindWord}`,
    });
  } else {
    const labels = at(template, 'metadata', 'labels');
    if (!selects(selector, labels)) {
      errors.push({
        type: 'Invalid',
        field: 'spec.template.metadata.labels',
        value: isPlainObject(labels) ? labels : {},
        detail: '`selector` does not match template `labels`',
      });
    }
  }
  errors.push(...replicasErrors(at(object, 'spec', 'replicas'), 'spec.replicas'));
  errors.push(...podTemplateErrors(template, 'spec.template', restartPolicies));
  return errors;
}

/** A label selector's immutability after create, as apps/v1 enforces it. */
export function selectorChangeErrors(object: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (!old) return [];
  const before = JSON.stringify(at(old, 'spec', 'selector') ?? null);
  const after = JSON.stringify(at(object, 'spec', 'selector') ?? null);
  if (before === after) return [];
  return [
    {
      type: 'Invalid',
      field: 'spec.selector',
      value: at(object, 'spec', 'selector'),
      detail: 'field is immutable',
    },
  ];
}

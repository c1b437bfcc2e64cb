import {
  bool,
  int,
  intOrString,
  labelSelector,
  map,
  message,
  objectMeta,
  partialMessage,
  string,
  type MessageDescriptor,
} from '../api/protobuf/messages.js';

// kubectl's typed clients (`kubectl create deployment|job|cronjob|serviceaccount`) send these
// kinds as protobuf, and client-go falls back to JSON only from CBOR, never from protobuf: the
// platform must read them. The field numbers are not in the OpenAPI definitions, so they are
// listed here for the fields those commands send (and every scalar Go's marshaller always
// writes); a body with any other field is refused with a message asking for JSON instead of being
// stored without it. Status messages are read leniently and then dropped, as a create drops status.
// Go pointer fields are marked `pointer`: their zero was sent on purpose and is kept.

const ignoredStatus: MessageDescriptor = {};

const containerPort: MessageDescriptor = {
  1: { name: 'name', type: string },
  2: { name: 'hostPort', type: int },
  3: { name: 'containerPort', type: int },
  4: { name: 'protocol', type: string },
  5: { name: 'hostIP', type: string },
};

const resourceRequirements: MessageDescriptor = {
  1: { name: 'limits', type: map('quantity') },
  2: { name: 'requests', type: map('quantity') },
  3: {
    name: 'claims',
    type: message({ 1: { name: 'name', type: string }, 2: { name: 'request', type: string } }),
    repeated: true,
  },
};

const container = partialMessage({
  1: { name: 'name', type: string },
  2: { name: 'image', type: string },
  3: { name: 'command', type: string, repeated: true },
  4: { name: 'args', type: string, repeated: true },
  5: { name: 'workingDir', type: string },
  6: { name: 'ports', type: message(containerPort), repeated: true },
  7: {
    name: 'env',
    type: message(partialMessage({ 1: { name: 'name', type: string }, 2: { name: 'value', type: string } })),
    repeated: true,
  },
  8: { name: 'resources', type: message(resourceRequirements) },
  13: { name: 'terminationMessagePath', type: string },
  14: { name: 'imagePullPolicy', type: string },
  16: { name: 'stdin', type: bool },
  17: { name: 'stdinOnce', type: bool },
  18: { name: 'tty', type: bool },
  20: { name: 'terminationMessagePolicy', type: string },
});

const podSpec = partialMessage({
  2: { name: 'containers', type: message(container), repeated: true },
  3: { name: 'restartPolicy', type: string },
  4: { name: 'terminationGracePeriodSeconds', type: int, pointer: true },
  5: { name: 'activeDeadlineSeconds', type: int, pointer: true },
  6: { name: 'dnsPolicy', type: string },
  7: { name: 'nodeSelector', type: map('string') },
  8: { name: 'serviceAccountName', type: string },
  9: { name: 'serviceAccount', type: string },
  10: { name: 'nodeName', type: string },
  11: { name: 'hostNetwork', type: bool },
  12: { name: 'hostPID', type: bool },
  13: { name: 'hostIPC', type: bool },
  15: { name: 'imagePullSecrets', type: message({ 1: { name: 'name', type: string } }), repeated: true },
  16: { name: 'hostname', type: string },
  17: { name: 'subdomain', type: string },
  19: { name: 'schedulerName', type: string },
  20: { name: 'initContainers', type: message(container), repeated: true },
  21: { name: 'automountServiceAccountToken', type: bool, pointer: true },
  24: { name: 'priorityClassName', type: string },
  25: { name: 'priority', type: int, pointer: true },
  29: { name: 'runtimeClassName', type: string },
  30: { name: 'enableServiceLinks', type: bool, pointer: true },
  31: { name: 'preemptionPolicy', type: string },
});

const podTemplateSpec: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: { name: 'spec', type: message(podSpec) },
};

/** apps/v1 Deployment (`kubectl create deployment`). */
export const appsV1DeploymentMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: {
    name: 'spec',
    type: message(
      partialMessage({
        1: { name: 'replicas', type: int, pointer: true },
        2: { name: 'selector', type: message(labelSelector) },
        3: { name: 'template', type: message(podTemplateSpec) },
        4: {
          name: 'strategy',
          type: message({
            1: { name: 'type', type: string },
            2: {
              name: 'rollingUpdate',
              type: message({
                1: { name: 'maxUnavailable', type: intOrString },
                2: { name: 'maxSurge', type: intOrString },
              }),
            },
          }),
        },
        5: { name: 'minReadySeconds', type: int },
        6: { name: 'revisionHistoryLimit', type: int, pointer: true },
        7: { name: 'paused', type: bool },
        9: { name: 'progressDeadlineSeconds', type: int, pointer: true },
      }),
    ),
  },
  3: { name: 'status', type: message(ignoredStatus) },
};

const jobSpec = partialMessage({
  1: { name: 'parallelism', type: int, pointer: true },
  2: { name: 'completions', type: int, pointer: true },
  3: { name: 'activeDeadlineSeconds', type: int, pointer: true },
  4: { name: 'selector', type: message(labelSelector) },
  5: { name: 'manualSelector', type: bool, pointer: true },
  6: { name: 'template', type: message(podTemplateSpec) },
  7: { name: 'backoffLimit', type: int, pointer: true },
  8: { name: 'ttlSecondsAfterFinished', type: int, pointer: true },
  9: { name: 'completionMode', type: string },
  10: { name: 'suspend', type: bool, pointer: true },
  12: { name: 'backoffLimitPerIndex', type: int, pointer: true },
  13: { name: 'maxFailedIndexes', type: int, pointer: true },
  14: { name: 'podReplacementPolicy', type: string },
  15: { name: 'managedBy', type: string },
});

/** batch/v1 Job (`kubectl create job`). */
export const batchV1JobMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: { name: 'spec', type: message(jobSpec) },
  3: { name: 'status', type: message(ignoredStatus) },
};

/** batch/v1 CronJob (`kubectl create cronjob`). */
export const batchV1CronJobMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: {
    name: 'spec',
    type: message(
      partialMessage({
        1: { name: 'schedule', type: string },
        2: { name: 'startingDeadlineSeconds', type: int, pointer: true },
        3: { name: 'concurrencyPolicy', type: string },
        4: { name: 'suspend', type: bool, pointer: true },
        5: {
          name: 'jobTemplate',
          type: message({
            1: { name: 'metadata', type: message(objectMeta) },
            2: { name: 'spec', type: message(jobSpec) },
          }),
        },
        6: { name: 'successfulJobsHistoryLimit', type: int, pointer: true },
        7: { name: 'failedJobsHistoryLimit', type: int, pointer: true },
        8: { name: 'timeZone', type: string },
      }),
    ),
  },
  3: { name: 'status', type: message(ignoredStatus) },
};

/** core/v1 ServiceAccount (`kubectl create serviceaccount`): every field. */
export const coreV1ServiceAccountMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: {
    name: 'secrets',
    type: message({
      1: { name: 'kind', type: string },
      2: { name: 'namespace', type: string },
      3: { name: 'name', type: string },
      4: { name: 'uid', type: string },
      5: { name: 'apiVersion', type: string },
      6: { name: 'resourceVersion', type: string },
      7: { name: 'fieldPath', type: string },
    }),
    repeated: true,
  },
  3: { name: 'imagePullSecrets', type: message({ 1: { name: 'name', type: string } }), repeated: true },
  4: { name: 'automountServiceAccountToken', type: bool, pointer: true },
};

/** core/v1 Service (`kubectl create service`). */
export const coreV1ServiceMessage: MessageDescriptor = {
  1: { name: 'metadata', type: message(objectMeta) },
  2: {
    name: 'spec',
    type: message(
      partialMessage({
        1: {
          name: 'ports',
          type: message({
            1: { name: 'name', type: string },
            2: { name: 'protocol', type: string },
            3: { name: 'port', type: int },
            4: { name: 'targetPort', type: intOrString },
            5: { name: 'nodePort', type: int },
            6: { name: 'appProtocol', type: string },
          }),
          repeated: true,
        },
        2: { name: 'selector', type: map('string') },
        3: { name: 'clusterIP', type: string },
        4: { name: 'type', type: string },
        5: { name: 'externalIPs', type: string, repeated: true },
        7: { name: 'sessionAffinity', type: string },
        8: { name: 'loadBalancerIP', type: string },
        9: { name: 'loadBalancerSourceRanges', type: string, repeated: true },
        10: { name: 'externalName', type: string },
        11: { name: 'externalTrafficPolicy', type: string },
        12: { name: 'healthCheckNodePort', type: int },
        13: { name: 'publishNotReadyAddresses', type: bool },
        17: { name: 'ipFamilyPolicy', type: string },
        18: { name: 'clusterIPs', type: string, repeated: true },
        19: { name: 'ipFamilies', type: string, repeated: true },
        20: { name: 'allocateLoadBalancerNodePorts', type: bool, pointer: true },
        21: { name: 'loadBalancerClass', type: string },
        22: { name: 'internalTrafficPolicy', type: string },
      }),
    ),
  },
  3: { name: 'status', type: message(ignoredStatus) },
};

import type { FieldError } from '../http/errors.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import type { ResourceDefinition } from '../api/registry.js';
import { AGE_COLUMN, ageCell } from '../api/resources/common.js';
import { age, humanDuration } from '../api/table/age.js';
import { builtinKind } from './builtin-kind.js';
import { at, defaults, list, num, objectAt, str, type Json } from './object-paths.js';
import { defaultPodTemplate, podTemplateErrors } from './pod-template.js';
import {
  column,
  containerCells,
  selectorText,
  WIDE_POD_TEMPLATE_COLUMNS,
  WIDE_SELECTOR_COLUMN,
} from './printing.js';
import { batchV1CronJobMessage, batchV1JobMessage } from './protobuf-messages.js';
import { replicatedErrors } from './replicated.js';
import { replicasErrors } from './resource-quantities.js';

// batch/v1: Jobs and CronJobs are stored and validated; nothing runs them in a workspace.

const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];
const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
const JOB_NAME = 'batch.kubernetes.io/job-name';

function defaultJobSpec(spec: Json | undefined): void {
  if (!spec) return;
  if ((spec.completions ?? null) === null && (spec.parallelism ?? null) === null) spec.completions = 1;
  defaults(spec, { parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
  if (typeof spec.podFailurePolicy !== 'object')
    defaults(spec, { podReplacementPolicy: 'TerminatingOrFailed' });
  defaultPodTemplate(objectAt(spec, 'template'));
}

/** The selector and pod labels the apiserver generates for a Job unless it says manualSelector. */
function generateSelector(job: KubeObject): void {
  const spec = objectAt(job as Json, 'spec');
  if (!spec || spec.manualSelector === true) return;
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  spec.selector ??= { matchLabels: { [CONTROLLER_UID]: uid } };
  const labels = objectAt(spec, 'template', 'metadata', 'labels');
  defaults(labels, { [CONTROLLER_UID]: uid, [JOB_NAME]: name, 'controller-uid': uid, 'job-name': name });
}

function hasCondition(object: KubeObject, type: string): boolean {
  return list(at(object, 'status', 'conditions')).some(
    (condition) => isPlainObject(condition) && condition.type === type && condition.status === 'True',
  );
}

/** printers.go printJob's STATUS. */
function jobStatus(job: KubeObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: KubeObject): string {
  const succeeded = num(at(job, 'status', 'succeeded'));
  const completions = at(job, 'spec', 'completions');
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = num(at(job, 'spec', 'parallelism'));
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KubeObject, now: Date): string {
  const start = Date.parse(str(at(job, 'status', 'startTime')));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(str(at(job, 'status', 'completionTime')));
  return humanDuration((Number.isNaN(end) ? now.getTime() : end) - start);
}

export const jobs: ResourceDefinition = builtinKind({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  resource: 'jobs',
  schemaName: 'io.k8s.api.batch.v1.Job',
  categories: ['all'],
  subresources: ['status'],
  protobuf: batchV1JobMessage,
  columns: [
    column('Status', 'Status of the job.'),
    column('Completions', 'The completion status of the job.'),
    column('Duration', 'Time required to complete the job.'),
    AGE_COLUMN,
    ...WIDE_POD_TEMPLATE_COLUMNS,
    WIDE_SELECTOR_COLUMN,
  ],
  cells: (object, now) => [
    jobStatus(object),
    jobCompletions(object),
    jobDuration(object, now),
    ageCell(object, now),
    ...containerCells(at(object, 'spec', 'template')),
    selectorText(at(object, 'spec', 'selector')),
  ],
  hooks: {
    prepareCreate(object) {
      defaultJobSpec(objectAt(object as Json, 'spec'));
      generateSelector(object);
    },
    prepareUpdate(object) {
      defaultJobSpec(objectAt(object as Json, 'spec'));
    },
    // A Job's selector must select its template's pods, as a ReplicaSet's does; its pods may
    // not restart in place, since a Job counts finished pods.
    validate: (object) => [
      ...replicatedErrors(object, 'job', JOB_RESTART_POLICIES),
      // Counts of pods, int32 ≥ 0 as a Deployment's replicas are (pkg/apis/batch/validation).
      ...['parallelism', 'completions', 'backoffLimit'].flatMap((field) =>
        replicasErrors(at(object, 'spec', field), `spec.${field}`),
      ),
    ],
  },
});

function cronJobErrors(object: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  if (str(at(object, 'spec', 'schedule')) === '') errors.push({ type: 'Required', field: 'spec.schedule' });
  const template = at(object, 'spec', 'jobTemplate', 'spec', 'template');
  errors.push(...podTemplateErrors(template, 'spec.jobTemplate.spec.template', JOB_RESTART_POLICIES));
  return errors;
}

export const cronJobs: ResourceDefinition = builtinKind({
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  resource: 'cronjobs',
  schemaName: 'io.k8s.api.batch.v1.CronJob',
  shortNames: ['cj'],
  categories: ['all'],
  subresources: ['status'],
  protobuf: batchV1CronJobMessage,
  columns: [
    column('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column(
      'Timezone',
      'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.',
    ),
    column('Suspend', 'This flag tells the controller to suspend subsequent executions.', {
      type: 'boolean',
    }),
    column('Active', 'A list of pointers to currently running jobs.', { type: 'integer' }),
    column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    AGE_COLUMN,
    ...WIDE_POD_TEMPLATE_COLUMNS,
    WIDE_SELECTOR_COLUMN,
  ],
  cells: (object, now) => {
    const timeZone = at(object, 'spec', 'timeZone');
    const lastSchedule = at(object, 'status', 'lastScheduleTime');
    return [
      str(at(object, 'spec', 'schedule')),
      typeof timeZone === 'string' ? timeZone : '<none>',
      at(object, 'spec', 'suspend') === true ? 'True' : 'False',
      list(at(object, 'status', 'active')).length,
      typeof lastSchedule === 'string' ? age(lastSchedule, now) : '<none>',
      ageCell(object, now),
      ...containerCells(at(object, 'spec', 'jobTemplate', 'spec', 'template')),
      selectorText(at(object, 'spec', 'jobTemplate', 'spec', 'selector')),
    ];
  },
  hooks: {
    prepareCreate: defaultCronJob,
    prepareUpdate: defaultCronJob,
    validate: cronJobErrors,
  },
});

function defaultCronJob(object: KubeObject): void {
  defaults(objectAt(object as Json, 'spec'), {
    concurrencyPolicy: 'Allow',
    suspend: false,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
  });
  defaultPodTemplate(objectAt(object as Json, 'spec', 'jobTemplate', 'spec', 'template'));
}

export const batchResources = [jobs, cronJobs];

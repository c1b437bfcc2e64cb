import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../api/protobuf/messages.js';
import { ProtobufError } from '../api/protobuf/wire.js';
import {
  appsV1DeploymentMessage,
  batchV1CronJobMessage,
  batchV1JobMessage,
  coreV1ServiceAccountMessage,
  coreV1ServiceMessage,
} from './protobuf-messages.js';

// Request bodies captured from kubectl 1.32 (`-v=9` prints them whole) against the platform.
const BODIES = {
  // kubectl create job pj --image=busybox:1.36 -- echo hi
  job: '6b3873000a0f0a0862617463682f763112034a6f621289010a120a02706a12001a0022002a00320038004200126932670a100a0012001a0022002a00320038004200125312300a02706a120c62757379626f783a312e33361a046563686f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200',
  // kubectl create deployment pd --image=nginx:1.27 --port=8080 --replicas=2
  deployment:
    '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412ba010a1d0a02706412001a0022002a003200380042005a090a0361707012027064128a010802120b0a090a03617070120270641a710a1b0a0012001a0022002a003200380042005a090a0361707012027064125212340a056e67696e78120a6e67696e783a312e32372a00320b0a00100018903f22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  // kubectl create deployment pz --image=nginx --replicas=0
  zeroReplicas:
    '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412a7010a1d0a02707a12001a0022002a003200380042005a090a036170701202707a12780800120b0a090a036170701202707a1a5f0a1b0a0012001a0022002a003200380042005a090a036170701202707a124012220a056e67696e7812056e67696e782a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  // kubectl create serviceaccount psa
  serviceAccount:
    '6b3873000a140a027631120e536572766963654163636f756e7412150a130a0370736112001a0022002a003200380042001a002200',
  // kubectl create service nodeport psvc --tcp=443:8443
  service:
    '6b3873000a0d0a027631120753657276696365126d0a210a047073766312001a0022002a003200380042005a0b0a0361707012047073766312440a1d0a083434332d38343433120354435018bb032207080010fb411a002800120b0a036170701204707376631a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200',
  // kubectl create cronjob pcj --image=busybox --schedule='*/5 * * * *'
  cronJob:
    '6b3873000a130a0862617463682f7631120743726f6e4a6f6212a1010a130a0370636a12001a0022002a003200380042001287010a0b2a2f35202a202a202a202a1a002a760a130a0370636a12001a0022002a00320038004200125f325d0a100a0012001a0022002a00320038004200124912220a0370636a120762757379626f782a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a001a002200',
};
const decode = (hex: string, message: Parameters<typeof decodeEnvelope>[1]) =>
  decodeEnvelope(Buffer.from(hex, 'hex'), message);

describe("kubectl create's protobuf bodies", () => {
  it('decodes a Job with its command', () => {
    expect(decode(BODIES.job, batchV1JobMessage)).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pj' },
      spec: {
        template: {
          metadata: {},
          spec: {
            containers: [{ name: 'pj', image: 'busybox:1.36', command: ['echo', 'hi'], resources: {} }],
            restartPolicy: 'Never',
          },
        },
      },
      status: {},
    });
  });

  it('decodes a Deployment with replicas, selector, port and an empty strategy', () => {
    expect(decode(BODIES.deployment, appsV1DeploymentMessage)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'pd', labels: { app: 'pd' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'pd' } },
        template: {
          metadata: { labels: { app: 'pd' } },
          spec: {
            containers: [
              { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }], resources: {} },
            ],
          },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('keeps a zero the sender set in a pointer field (replicas: 0), unlike an unset plain one', () => {
    const decoded = decode(BODIES.zeroReplicas, appsV1DeploymentMessage) as { spec: Record<string, unknown> };
    expect(decoded.spec.replicas).toBe(0);
    expect(decoded.spec).not.toHaveProperty('minReadySeconds');
  });

  it('decodes a ServiceAccount, a Service (with an int targetPort) and a CronJob', () => {
    expect(decode(BODIES.serviceAccount, coreV1ServiceAccountMessage)).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'psa' },
    });
    expect(decode(BODIES.service, coreV1ServiceMessage)).toMatchObject({
      metadata: { name: 'psvc', labels: { app: 'psvc' } },
      spec: {
        type: 'NodePort',
        selector: { app: 'psvc' },
        ports: [{ name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 }],
      },
    });
    expect(decode(BODIES.cronJob, batchV1CronJobMessage)).toMatchObject({
      metadata: { name: 'pcj' },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: {
          metadata: { name: 'pcj' },
          spec: {
            template: {
              spec: { restartPolicy: 'OnFailure', containers: [{ name: 'pcj', image: 'busybox' }] },
            },
          },
        },
      },
    });
  });

  it('refuses a field it does not describe instead of storing the object without it', () => {
    // A Job whose pod spec carries volumes (field 1), which no kubectl create command sends.
    const field = (number: number, payload: Buffer | string) => {
      const bytes = Buffer.from(payload);
      return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
    };
    const job = (podSpec: Buffer) =>
      Buffer.concat([
        Buffer.from('k8s\0'),
        field(1, Buffer.concat([field(1, 'batch/v1'), field(2, 'Job')])),
        field(2, field(2, field(6, field(2, podSpec)))),
      ]);
    expect(decodeEnvelope(job(field(3, 'Never')), batchV1JobMessage)).toMatchObject({
      spec: { template: { spec: { restartPolicy: 'Never' } } },
    });
    expect(() => decodeEnvelope(job(field(1, Buffer.alloc(0))), batchV1JobMessage)).toThrow(
      new ProtobufError('field 1 is not accepted in protobuf here; send the object as JSON'),
    );
  });
});

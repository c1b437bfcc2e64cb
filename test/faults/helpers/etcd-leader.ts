import { request } from 'node:http';
import type { EtcdMember, LocalEtcd } from '../../../src/platform/storage/etcd/local-etcd.js';

// Which member leads etcd's raft, from etcd's own word (the gRPC gateway's Maintenance/Status), so a test can
// kill the leader: the harder case, since the survivors must elect a new one before anything commits.

interface MemberStatus {
  header: { member_id: string };
  leader: string;
}

function memberStatus(member: EtcdMember): Promise<MemberStatus | undefined> {
  return new Promise((resolve) => {
    const req = request(
      `${member.clientUrl}/v3/maintenance/status`,
      { method: 'POST', timeout: 2000, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 ? (JSON.parse(body) as MemberStatus) : undefined);
          } catch {
            resolve(undefined);
          }
        });
      },
    );
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end('{}');
  });
}

/** The member that leads now, or undefined when no running member names a leader it can be matched to. */
export async function etcdLeader(etcd: LocalEtcd): Promise<EtcdMember | undefined> {
  const running = etcd.members.filter((member) => member.running());
  const statuses = await Promise.all(running.map(memberStatus));
  for (const [i, status] of statuses.entries())
    if (status && status.leader !== '0' && status.header.member_id === status.leader) return running[i];
  return undefined;
}

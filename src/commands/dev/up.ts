import { Flags } from '@oclif/core';
import { KplaneCommand, outputFlag } from '../../cli/base-command.js';
import { devUp } from '../../devplatform/up.js';

export default class DevUp extends KplaneCommand {
  static override summary = 'Start the local platform (a real kcp/OCM-compatible API server on 127.0.0.1).';
  static override description =
    'Creates the data folder if needed, writes DATA_DIR/admin.kubeconfig, and serves until stopped. ' +
    'On a folder that already holds data it starts on that data (and on the port it had before).';

  static override examples = [
    '<%= config.bin %> dev up --demo',
    '<%= config.bin %> dev up --demo --oidc',
    '<%= config.bin %> dev up --port 0 --data-dir /tmp/kp --detach',
    '<%= config.bin %> dev up --storage etcd --replicas 2 --detach',
  ];

  static override flags = {
    port: Flags.integer({
      description: 'Port on 127.0.0.1 (0 = any free port; default: the last one, or 6443).',
      min: 0,
      max: 65535,
    }),
    'data-dir': Flags.string({
      description: 'Where the platform keeps its data (default: ~/.local/share/kplane/dev).',
    }),
    demo: Flags.boolean({
      description: 'Create a demo tree (an organization with teams and config maps) if missing.',
    }),
    'watch-history': Flags.string({
      description:
        'How far back a watch may resume, e.g. 90s, 5m or 1h (default 5m, as etcd compacts); older resourceVersions answer 410 Expired.',
    }),
    'authentication-config': Flags.string({
      description:
        "Kubernetes' AuthenticationConfiguration file (jwt issuers, claim mappings): the platform also accepts those issuers' ID tokens.",
    }),
    oidc: Flags.boolean({
      description:
        'Also run a real OpenID provider (demo users alice, bob, carol) and accept its ID tokens, so `kplane login` shows the real flow.',
    }),
    members: Flags.boolean({
      description:
        "With --demo: run the demo's clusters as real Kubernetes API endpoints joined by kplane agents (--no-members: records only).",
      default: true,
      allowNo: true,
    }),
    storage: Flags.string({
      description:
        'Where the platform keeps objects: sqlite (in the data folder, one process) or etcd (several replicas may share it).',
      options: ['sqlite', 'etcd'],
    }),
    'etcd-endpoints': Flags.string({
      description:
        "With --storage etcd: your etcd's client URLs, comma-separated (default: run a local etcd from the machine's etcd binary, data in DATA_DIR/etcd).",
    }),
    'etcd-ca': Flags.string({
      description: "With https:// --etcd-endpoints: the CA that signed etcd's certificate.",
    }),
    'etcd-cert': Flags.string({ description: 'A client certificate for etcd (with --etcd-key).' }),
    'etcd-key': Flags.string({ description: "The client certificate's private key (with --etcd-cert)." }),
    'etcd-prefix': Flags.string({
      description: 'The etcd key prefix the platform keeps its objects under (default /kplane/).',
    }),
    replicas: Flags.integer({
      description:
        'With --storage etcd: run N platform processes behind one front on the usual port (default 1).',
      min: 1,
      max: 16,
    }),
    detach: Flags.boolean({
      description: 'Return once the platform answers, leaving it running (DATA_DIR/server.pid).',
    }),
    output: outputFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevUp);
    process.exitCode = await devUp(
      {
        port: flags.port,
        dataDir: flags['data-dir'],
        demo: flags.demo,
        watchHistory: flags['watch-history'],
        authenticationConfig: flags['authentication-config'],
        oidc: flags.oidc,
        members: flags.members,
        detach: flags.detach,
        output: this.outputFormat(flags.output),
        storage: {
          storage: flags.storage,
          etcdEndpoints: flags['etcd-endpoints'],
          etcdCa: flags['etcd-ca'],
          etcdCert: flags['etcd-cert'],
          etcdKey: flags['etcd-key'],
          etcdPrefix: flags['etcd-prefix'],
          replicas: flags.replicas,
        },
      },
      this.io,
    );
  }
}

import { Flags } from '@oclif/core';

export const namespaceFlag = Flags.string({
  char: 'n',
  description: "Namespace (default: the context's, else default).",
});

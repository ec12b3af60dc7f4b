// serve: the Runboard server in this process. It is dist/server.js itself (which starts on
// load and reads --stdio / --node-ipc / --durability from the process arguments), required at
// run time so that cli.js does not carry the language-server libraries on every call.
import * as path from 'node:path';
import { Invocation } from '../invocation';
import { UsageError } from '../usageError';

export async function serve({ opts }: Invocation): Promise<void> {
  if (opts.stdio !== true && opts.nodeIpc !== true) throw new UsageError('Say how to talk: runboard serve --stdio (or --node-ipc).');
  // A computed path keeps esbuild from bundling it into cli.js.
  const bundle = path.join(__dirname, 'server.js');
  (require as (id: string) => unknown)(bundle);
}

// dist/server.js: `node dist/server.js --stdio` (or --node-ipc when started by the extension).
// Lock waits run on threads of their own (store/osLock.ts), so libuv's default pool suffices.
import { runServer } from './rpc/runServer';

runServer(process.argv.slice(2));

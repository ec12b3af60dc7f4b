// dist/server.js: `node dist/server.js --stdio` (or --node-ipc when started by the extension).
import { runServer } from './server/runServer';

runServer(process.argv.slice(2));

// The file store's atomic writes and no-follow reads of small files, for the layers above that
// keep a small file of their own (routing's announcement, .runboard/server.json). Apart from
// boards.ts because it loads nothing else of the file store: the CLI's thin path reads the
// announcement on every call.
export { readJsonIfExists, writeFileAtomic } from './file/atomicFile';

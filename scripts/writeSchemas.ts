// Writes the JSON Schemas published with the package (schemas/), from the contract's zod schemas:
// `npm run schemas`. test/unit/contract/tasksSchema.test.ts fails when a committed file is stale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tasksFileJsonSchema } from '../contract/schemas/tasksFile';

export const PUBLISHED_SCHEMAS: Record<string, () => unknown> = {
  'tasks.schema.json': tasksFileJsonSchema,
};

export function schemaText(make: () => unknown): string {
  return JSON.stringify(make(), null, 2) + '\n';
}

if (require.main === module) {
  const dir = path.join(__dirname, '..', 'schemas');
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, make] of Object.entries(PUBLISHED_SCHEMAS)) fs.writeFileSync(path.join(dir, name), schemaText(make));
}

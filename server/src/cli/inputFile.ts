// A file argument of the CLI, or `-` for stdin: its text, or a usage error naming it.
import * as fs from 'node:fs';
import { withoutByteOrderMark } from '../../../contract/byteOrderMark';
import { UsageError } from './usageError';

/** How the input is named in messages. */
export function inputName(source: string): string {
  return source === '-' ? 'stdin' : source;
}

/** The input's text, without a byte order mark before it. */
export function readInput(source: string): string {
  try {
    return withoutByteOrderMark(fs.readFileSync(source === '-' ? 0 : source, 'utf8'));
  } catch (e) {
    throw new UsageError(`Cannot read ${inputName(source)}: ${(e as Error).message}`);
  }
}

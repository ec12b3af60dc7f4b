// How a line of a log is read as JSON: an editor that saved the log may have put a byte order
// mark before its first line, and the run reads on as before.
import { withoutByteOrderMark } from '../../../../contract/byteOrderMark';

export function parseLogLine(text: string): unknown {
  return JSON.parse(withoutByteOrderMark(text));
}

// Text that people may have saved — a run's log, a tasks file, CLI input — is read without the
// UTF-8 byte order mark Windows editors, VS Code's "UTF-8 with BOM" and PowerShell's Out-File put
// first: JSON.parse refuses it, and it is no part of what was written (PROTOCOL.md §Files).
const BYTE_ORDER_MARK = '\uFEFF';

export function withoutByteOrderMark(text: string): string {
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
}

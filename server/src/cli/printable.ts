// Text from the board printed for people: a task title, an error, a fact may come from any agent
// or clone of a shared board, and a terminal obeys the control sequences in what it prints (colours,
// its title, a cleared screen, text reordered by bidi overrides). Those characters are shown as
// escapes instead; line breaks and tabs stay. JSON output escapes them itself.

// C0 controls but tab and line feed, a carriage return not ending a line, DEL, C1 controls, and the
// bidi embeddings, overrides and isolates.
const CONTROLS = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

export function printable(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

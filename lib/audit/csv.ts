// CSV text of the audit export, RFC 4180: every cell quoted when it holds a quote, comma or line break.
// Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula, so such a
// cell gets a leading apostrophe: an actor or reason written by a user can never execute in the reader's
// spreadsheet (OWASP "CSV injection").

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

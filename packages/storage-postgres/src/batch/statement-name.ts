const names = new Map<string, string>();
/** A stable statement name for a query text (FNV-1a), so pg prepares it once per connection. */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    name = `dealflow_${(h >>> 0).toString(36)}_${text.length.toString(36)}`;
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

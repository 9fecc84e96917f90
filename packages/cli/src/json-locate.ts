/**
 * Locating things in JSON text: the line and column of a parse error, and of the value at a JSON
 * path (`$.transitions[2].to`), so problems point at the line in the file.
 */

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}

/** Parses JSON; on failure returns the message with its line and column. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string; line: number; column: number } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const lc = /line (\d+) column (\d+)/.exec(raw);
    const pos = /position (\d+)/.exec(raw);
    const at = lc ? { line: Number(lc[1]), column: Number(lc[2]) } : lineColumn(text, pos ? Number(pos[1]) : text.length);
    const message = raw.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '').replace(/^JSON\.parse: /, '');
    return { ok: false, message, ...at };
  }
}

/**
 * Finds where the value at each JSON path starts in `text` (valid JSON). Returns a map from path
 * (`$`, `$.a`, `$.a[0].b`) to offset.
 */
export function jsonPathOffsets(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const key = (path: string, k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`);
  const value = (path: string): void => {
    ws();
    out.set(path, i);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        value(key(path, k));
        ws();
        if (text[i] === ',') i++;
        else {
          i++;
          return;
        }
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') i++;
        else {
          i++;
          return;
        }
      }
    } else if (c === '"') str();
    else while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  value('$');
  return out;
}

/** The value at a JSON path of a parsed document (undefined when absent). */
export function valueAt(doc: unknown, path: string): unknown {
  const parts = path.replace(/^\$/, '').match(/\.[^.[\]]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\]/g) ?? [];
  let cur: unknown = doc;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const k = p.startsWith('.') ? p.slice(1) : p.startsWith('["') ? (JSON.parse(p.slice(1, -1)) as string) : Number(p.slice(1, -1));
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** The nearest located ancestor of `path` (the path itself when located). */
export function locate(offsets: Map<string, number>, path: string): number | undefined {
  let p = path;
  for (;;) {
    const at = offsets.get(p);
    if (at !== undefined) return at;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return offsets.get('$');
    p = p.slice(0, cut);
  }
}

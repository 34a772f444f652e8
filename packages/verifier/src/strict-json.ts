/**
 * Strict JSON for JOSE: RFC 7515 section 4 and RFC 7519 section 4 require member names to be unique, and
 * `JSON.parse` keeps the last of a repeated member silently (`{"alg":"none",…,"alg":"ES256"}` reads as ES256
 * here and as `none` in a parser that keeps the first). A repeated member at any depth is refused.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4 unique header parameter names
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-4 "names within an object SHOULD be unique"
 */

/** The first member name repeated within one object of a JSON text that `JSON.parse` accepted, if any. */
export function duplicateMember(text: string): string | undefined {
  // Each open object's names; `null` for an array. JSON.parse has validated the text, so a string token followed
  // by ':' is a member name, and every other string is a value.
  const stack: (Set<string> | null)[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) stack.push(new Set());
    else if (c === 0x5b) stack.push(null);
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x22) {
      const start = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      let j = i + 1;
      while (j < n && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) <= 0x0d)) j++;
      const names = stack[stack.length - 1];
      if (text.charCodeAt(j) === 0x3a && names) {
        const raw = text.slice(start, i + 1);
        const name = raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (names.has(name)) return name;
        names.add(name);
      }
    }
  }
  return undefined;
}

/** `JSON.parse` of a JSON object with unique member names; throws a message naming the problem otherwise. */
export function parseStrictObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError(`the ${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new TypeError(`the ${what} is not a JSON object`);
  const dup = duplicateMember(text);
  if (dup !== undefined) throw new TypeError(`the ${what} repeats the member ${JSON.stringify(dup)}`);
  return value as Record<string, unknown>;
}

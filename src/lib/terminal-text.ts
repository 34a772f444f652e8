/**
 * Text from outside the kit (a server's names, ids, URLs, error bodies) made safe to print on a terminal: every
 * control character (C0, DEL, C1), line and paragraph separator, bidirectional override and BOM is shown as a
 * `\u` escape, so that no such string can move the cursor, set the window title, write the clipboard (OSC 52),
 * clear the screen, reorder what is shown, or start a new line that looks like the kit's own output.
 *
 * @see https://invisible-island.net/xterm/ctlseqs/ctlseqs.html (what ESC, CSI and OSC sequences can do)
 * @see https://www.unicode.org/reports/tr9/#Explicit_Directional_Overrides
 */

/** Characters a terminal acts on instead of showing, and lone surrogates (no character at all). */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with every character a terminal would act on shown as `\uXXXX`; everything else unchanged. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`);
}

/**
 * Bytes, base64url and UTF-8 without platform globals: React Native's engine has no `Buffer`, and older Hermes
 * builds no `TextEncoder`/`TextDecoder`; where the platform has them they are used.
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5 base64url
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i;

/** Decodes unpadded base64url; throws on any other character or an impossible length. */
export function fromBase64url(text: string): Uint8Array {
  const n = text.length;
  if (n % 4 === 1) throw new TypeError("not base64url: impossible length");
  const out = new Uint8Array(Math.floor((n * 3) / 4));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (INDEX[c] as number) : -1;
    if (v < 0) throw new TypeError("not base64url");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero (RFC 4648 section 3.5): one string per byte sequence.
  if ((acc & ((1 << bits) - 1)) !== 0) throw new TypeError("not base64url: non-canonical trailing bits");
  return out;
}

/** Encodes bytes as unpadded base64url. */
export function toBase64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + ALPHABET[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = (bytes[i] as number) << 16;
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63];
  } else if (rest === 2) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63];
  }
  return out;
}

const encoder = typeof TextEncoder === "function" ? new TextEncoder() : undefined;
const decoder = typeof TextDecoder === "function" ? new TextDecoder("utf-8", { fatal: true }) : undefined;

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  if (encoder !== undefined) return encoder.encode(text);
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/** The string of UTF-8 bytes; throws on invalid UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  if (decoder !== undefined) return decoder.decode(bytes);
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const len = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf5 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
    if (len === 0 || i + len > bytes.length) throw new TypeError("invalid UTF-8");
    let c = len === 1 ? b : b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const n = bytes[i + k] as number;
      if ((n & 0xc0) !== 0x80) throw new TypeError("invalid UTF-8");
      c = (c << 6) | (n & 63);
    }
    const min = [0, 0, 0x80, 0x800, 0x10000][len] as number;
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) throw new TypeError("invalid UTF-8");
    out += String.fromCodePoint(c);
    i += len;
  }
  return out;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}

/** The bytes of an ASCII string (a JWS signing input is ASCII by construction). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

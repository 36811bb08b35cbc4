// Bytes → text for the "parse" step. HRIS exports arrive as UTF-8 (with or without BOM), as UTF-16
// from Excel's "Unicode text" save, or as Windows-1252 from older tools. Decoding is hand-rolled
// for UTF-16 and Windows-1252 so it does not depend on which legacy labels the runtime's
// TextDecoder knows (workerd, Node and browsers differ).
import type { Issue } from "./types.ts";

/** The one error a file that cannot be read at all produces; `code` is stable and machine-readable. */
export class UnreadableFile extends Error {
  code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnreadableFile";
    this.code = code;
  }
}

export interface Decoded {
  text: string;
  issues: Issue[];
}

// One import is parsed, planned and stored inside one Worker invocation (128 MB of memory); see
// MAX_ROWS in parse.ts. The bytes are refused before they are decoded into a second copy.
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

// Above this share of control characters the "text" is almost certainly not text. Real exports
// have none; random bytes decoded as Windows-1252 have about 13%.
const MAX_CONTROL_SHARE = 0.02;
const SAMPLE = 4096;

// Windows-1252 differs from Latin-1 only in 0x80–0x9F. Unassigned bytes keep their C1 code point,
// as the WHATWG Encoding Standard does.
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

export function decodeBytes(bytes: Uint8Array): Decoded {
  if (bytes.length === 0) throw emptyFile();
  if (bytes.length > MAX_FILE_BYTES) throw tooLarge(bytes.length);
  rejectKnownBinary(bytes);
  const bom = sniffBom(bytes) ?? sniffUtf16(bytes);
  if (bom === "utf-8") return checked(decodeUtf8Lenient(bytes.subarray(3)));
  if (bom === "utf-16le" || bom === "utf-16be") {
    const start = hasBom(bytes, bom) ? 2 : 0;
    return checked({ text: decodeUtf16(bytes.subarray(start), bom === "utf-16le"), issues: [] });
  }
  if (bytes.includes(0)) throw binaryFile();
  return checked(decodeUtf8OrLatin1(bytes));
}

/** Text that arrived as a string still gets the same "is this text at all" check. */
export function checkText(text: string): Decoded {
  if (text.length > MAX_FILE_BYTES) throw tooLarge(text.length);
  return checked({ text: text.startsWith("\ufeff") ? text.slice(1) : text, issues: [] });
}

function checked(decoded: Decoded): Decoded {
  if (decoded.text.includes("\u0000") || controlShare(decoded.text) > MAX_CONTROL_SHARE) throw binaryFile();
  return decoded;
}

function controlShare(text: string): number {
  const length = Math.min(text.length, 100_000);
  if (length === 0) return 0;
  let controls = 0;
  for (let i = 0; i < length; i++) {
    if (isControl(text.charCodeAt(i))) controls++;
  }
  return controls / length;
}

// C0 controls other than tab, form feed and line breaks; DEL; C1 controls.
function isControl(code: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d;
  return code >= 0x7f && code <= 0x9f;
}

type Utf16 = "utf-16le" | "utf-16be";

function sniffBom(bytes: Uint8Array): "utf-8" | Utf16 | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return null;
}

function hasBom(bytes: Uint8Array, encoding: Utf16): boolean {
  return sniffBom(bytes) === encoding;
}

// UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte, always on the same side.
// Binary data has NULs on both sides, so it falls through to the binary check.
function sniffUtf16(bytes: Uint8Array): Utf16 | null {
  const pairs = Math.floor(Math.min(bytes.length, SAMPLE) / 2);
  if (pairs < 2) return null;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (bytes[i] === 0) evenNuls++;
    if (bytes[i + 1] === 0) oddNuls++;
  }
  if (oddNuls >= pairs * 0.4 && evenNuls === 0) return "utf-16le";
  if (evenNuls >= pairs * 0.4 && oddNuls === 0) return "utf-16be";
  return null;
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): string {
  const units = new Uint16Array(bytes.length >> 1);
  for (let i = 0; i < units.length; i++) {
    const a = bytes[2 * i] ?? 0;
    const b = bytes[2 * i + 1] ?? 0;
    units[i] = littleEndian ? a | (b << 8) : (a << 8) | b;
  }
  return fromCodeUnits(units);
}

function decodeUtf8Lenient(bytes: Uint8Array): Decoded {
  const text = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
  if (!text.includes("\ufffd")) return { text, issues: [] };
  const message = "Some characters in the file could not be read and were replaced by “�”.";
  return { text, issues: [fileWarning("invalid_characters", message)] };
}

function decodeUtf8OrLatin1(bytes: Uint8Array): Decoded {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes), issues: [] };
  } catch {
    const message =
      "The file is not UTF-8, so it was read as Western European (Windows-1252). " +
      "If names look wrong (for example “JosÃ©”), save the file as “CSV UTF-8” and import it again.";
    return { text: decodeWindows1252(bytes), issues: [fileWarning("decoded_as_latin1", message)] };
  }
}

function decodeWindows1252(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    units[i] = byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH.charCodeAt(byte - 0x80) : byte;
  }
  return fromCodeUnits(units);
}

// Chunked: spreading a whole file into fromCharCode overflows the call stack on large inputs.
function fromCodeUnits(units: Uint16Array): string {
  let text = "";
  for (let i = 0; i < units.length; i += 8192) {
    text += String.fromCharCode(...units.subarray(i, i + 8192));
  }
  return text;
}

// Spreadsheets and documents uploaded instead of a CSV: name them so the admin knows what to do.
function rejectKnownBinary(bytes: Uint8Array): void {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04)) {
    throw binaryFile("This looks like an Excel workbook (.xlsx) or another zipped file, not a CSV. ");
  }
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) throw binaryFile("This looks like an old Excel workbook (.xls). ");
  if (starts(0x25, 0x50, 0x44, 0x46)) throw binaryFile("This looks like a PDF, not a CSV. ");
}

function binaryFile(prefix = "The file does not contain text. "): UnreadableFile {
  return new UnreadableFile(
    "binary_file",
    `${prefix}Export the sheet from your HRIS or spreadsheet as CSV (comma or semicolon separated) and upload that.`,
  );
}

function tooLarge(bytes: number): UnreadableFile {
  return new UnreadableFile(
    "file_too_large",
    `The file is ${megabytes(bytes)}; one import reads at most ${megabytes(MAX_FILE_BYTES)}. ` +
      "Split the export (for example by department or country) into several files, or leave out unused columns.",
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function emptyFile(): UnreadableFile {
  return new UnreadableFile("empty_file", "The file is empty: there is no header row and no data.");
}

function fileWarning(code: string, message: string): Issue {
  return { row: null, level: "warning", code, message };
}

/** Decoded text in pieces, for reading a big export without a whole second copy of it as text. */
export interface DecodedPieces {
  issues: Issue[];
  /** Lines the text has once line breaks are made one style (\r\n, \r and \n each count once). */
  lines: number;
  pieces: () => Iterable<string>;
}

const PIECE_BYTES = 1 << 20;

/**
 * The same text and issues as decodeBytes, in pieces. UTF-8 (the usual case: with a BOM, or valid
 * without one) is decoded a piece at a time; other encodings are decoded whole, by decodeBytes.
 */
export function decodePieces(bytes: Uint8Array): DecodedPieces {
  if (bytes.length === 0 || bytes.length > MAX_FILE_BYTES) return whole(bytes);
  rejectKnownBinary(bytes);
  const bom = sniffBom(bytes) ?? sniffUtf16(bytes);
  if ((bom !== null && bom !== "utf-8") || bytes.includes(0)) return whole(bytes);
  const start = bom === "utf-8" ? 3 : 0;
  const valid = isUtf8(bytes, start);
  if (!valid && bom !== "utf-8") return whole(bytes);
  const body = bytes.subarray(start);
  const issues: Issue[] = [];
  // As decodeUtf8Lenient: only a file with a BOM is read leniently, and warned about.
  if (bom === "utf-8" && (!valid || hasReplacementCharacter(body))) {
    const message = "Some characters in the file could not be read and were replaced by “�”.";
    issues.push(fileWarning("invalid_characters", message));
  }
  const first = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(
    body.subarray(0, PIECE_BYTES),
    { stream: true },
  );
  if (controlShare(first) > MAX_CONTROL_SHARE) throw binaryFile();
  return {
    issues,
    lines: lineBreaks(body) + 1,
    pieces: function* () {
      const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
      for (let at = 0; at < body.length; at += PIECE_BYTES) {
        yield decoder.decode(body.subarray(at, at + PIECE_BYTES), { stream: true });
      }
      yield decoder.decode();
    },
  };
}

function whole(bytes: Uint8Array): DecodedPieces {
  const decoded = decodeBytes(bytes);
  return { issues: decoded.issues, lines: textLineBreaks(decoded.text) + 1, pieces: () => [decoded.text] };
}

/** Pieces of text that arrived as a string: the same checks as checkText. */
export function textPieces(text: string): DecodedPieces {
  const decoded = checkText(text);
  return { issues: decoded.issues, lines: textLineBreaks(decoded.text) + 1, pieces: () => [decoded.text] };
}

// The WHATWG UTF-8 decoder's rules (what TextDecoder with fatal: true refuses): no overlong forms,
// no surrogates, nothing past U+10FFFF, no truncated sequence. ASCII, most of any export, is
// skipped four bytes at a time.
function isUtf8(bytes: Uint8Array, from: number): boolean {
  const n = bytes.length;
  const wordsStart = from + ((4 - ((bytes.byteOffset + from) & 3)) & 3);
  const count = wordsStart < n ? (n - wordsStart) >> 2 : 0;
  const words =
    count > 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset + wordsStart, count) : new Uint32Array(0);
  let i = from;
  while (i < n) {
    if (i >= wordsStart && (i - wordsStart) % 4 === 0) {
      let w = (i - wordsStart) >> 2;
      while (w < words.length && ((words[w] as number) & 0x80808080) === 0) w++;
      const skipped = wordsStart + w * 4;
      if (skipped > i) {
        i = Math.min(skipped, n);
        continue;
      }
    }
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = sequenceLength(bytes, i);
    if (need === 0) return false;
    i += need;
  }
  return true;
}

/** Bytes in the valid multi-byte sequence starting at `i`; 0 when it is not one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i] as number;
  let need: number;
  let low = 0x80;
  let high = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b === 0xe0) low = 0xa0;
    if (b === 0xed) high = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b === 0xf0) low = 0x90;
    if (b === 0xf4) high = 0x8f;
  } else return 0;
  for (let k = 1; k <= need; k++) {
    const c = bytes[i + k];
    if (c === undefined) return 0;
    if (k === 1 ? c < low || c > high : c < 0x80 || c > 0xbf) return 0;
  }
  return need + 1;
}

function hasReplacementCharacter(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(0xef); i !== -1; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) return true;
  }
  return false;
}

function lineBreaks(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  for (let i = bytes.indexOf(0x0d); i !== -1; i = bytes.indexOf(0x0d, i + 1)) {
    if (bytes[i + 1] !== 0x0a) n++;
  }
  return n;
}

function textLineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  for (let i = text.indexOf("\r"); i !== -1; i = text.indexOf("\r", i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

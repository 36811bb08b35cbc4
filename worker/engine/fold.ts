// Canonical comparison forms. Two spellings that fold equal are "the same words": case, accents,
// punctuation and word order are ignored ("Sales & Marketing" ≡ "marketing, sales", "José" ≡ "jose").

// Letters NFKD leaves whole (they are letters of their own, not a base letter plus a mark), folded to
// what an English keyboard types for them, so "Łódź" ≡ "Lodz" and "Straße" ≡ "Strasse".
const UNDECOMPOSED: Readonly<Record<string, string>> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};
const UNDECOMPOSED_RE = /[ßæœøłđðþı]/g;

/** The words of a value, without accents, lower-cased, in their original order. */
export function words(value: string): string[] {
  return value
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(UNDECOMPOSED_RE, (c) => UNDECOMPOSED[c] ?? c)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** The canonical comparison form: accent-free lower-case words, sorted, joined by one space. */
export function fold(value: string): string {
  return words(value).sort().join(" ");
}

/**
 * A column header made comparable: BOM and bracketed notes dropped ("First Name [Required]",
 * "Hire Date (MM/DD/YYYY)"), camelCase and snake_case split ("givenName", "Employee_ID"), "#" read
 * as "number" ("Employee #") and "e-mail" as "email". The result keeps word order; fold it to compare.
 */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, "")
    .replace(/\[[^\]]*\]|\([^)]*\)/g, " ")
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, "$1 $2")
    .replace(/#/g, " number ")
    .replace(/\be[\s_-]?mail/gi, "email")
    .replace(/[_\s]+/g, " ")
    .trim();
}

/** Trimmed, inner whitespace collapsed: how a proposed option is written. */
export function tidy(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

/** A field key from a label: "Cost Center [READ ONLY]" → "cost-center". */
export function slugify(label: string): string {
  return words(normalizeHeader(label)).join("-");
}

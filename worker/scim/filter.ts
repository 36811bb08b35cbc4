// The SCIM filter and path grammar (RFC 7644 §3.4.2.2 and §3.5.2): `filter=` expressions with
// eq ne co sw ew gt ge lt le pr, and / or / not, parentheses and value paths
// (`emails[type eq "work"].value`), and PATCH paths (`members[value eq "…"]`,
// `urn:…:enterprise:2.0:User:manager`). Operators and keywords are case-insensitive. Pure: it
// only builds the tree; evaluate.ts reads resources with it.
import { splitUrn } from "./schemas.ts";

export const COMPARE_OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];
export type Literal = string | number | boolean | null;

/** `[urn:]attr[\[filter\]][.sub]` */
export interface AttrPath {
  /** The schema URN when the path was qualified with one. */
  urn: string | null;
  attr: string;
  /** A value filter over the attribute's values: `emails[type eq "work"]`. */
  filter?: Filter;
  sub?: string;
}

export type Filter =
  | { kind: "and" | "or"; left: Filter; right: Filter }
  | { kind: "not"; filter: Filter }
  | { kind: "compare"; path: AttrPath; op: CompareOp; value: Literal }
  /** `attr pr`, and a bare value path `emails[type eq "work"]`: some value (matching) is present. */
  | { kind: "present"; path: AttrPath };

export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterSyntaxError";
  }
}

type Token =
  | { type: "(" | ")" | "[" | "]"; at: number }
  | { type: "string"; value: string; at: number }
  | { type: "word"; value: string; at: number };

const ATTR_NAME = /^[A-Za-z0-9$_][\w$-]*$/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const MAX_LENGTH = 4096;
const MAX_DEPTH = 50;

function tokenize(text: string): Token[] {
  if (text.length > MAX_LENGTH) throw new FilterSyntaxError(`is longer than ${MAX_LENGTH} characters`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "(" || c === ")" || c === "[" || c === "]") {
      tokens.push({ type: c, at: i });
      i += 1;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      try {
        tokens.push({ type: "string", value: JSON.parse(text.slice(i, end + 1)) as string, at: i });
      } catch {
        throw new FilterSyntaxError(`has a badly escaped string at character ${i + 1}`);
      }
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()[\]"]/.test(text[j] as string)) j += 1;
      tokens.push({ type: "word", value: text.slice(i, j), at: i });
      i = j;
    }
  }
  return tokens;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i += 1;
    else if (text[i] === '"') return i;
  }
  throw new FilterSyntaxError(`has a string that is never closed (from character ${start + 1})`);
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private depth = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  next(): Token {
    const token = this.tokens[this.i];
    if (!token) throw new FilterSyntaxError("ends too early");
    this.i += 1;
    return token;
  }

  keyword(word: string): boolean {
    const token = this.peek();
    if (token?.type !== "word" || token.value.toLowerCase() !== word) return false;
    this.i += 1;
    return true;
  }

  expect(type: "(" | ")" | "[" | "]"): void {
    const token = this.peek();
    if (!token) throw new FilterSyntaxError(`expected "${type}" at the end`);
    if (token.type !== type) throw new FilterSyntaxError(`expected "${type}" at character ${token.at + 1}`);
    this.i += 1;
  }

  filter(inValuePath: boolean): Filter {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new FilterSyntaxError(`nests more than ${MAX_DEPTH} levels deep`);
    let left = this.conjunction(inValuePath);
    while (this.keyword("or")) left = { kind: "or", left, right: this.conjunction(inValuePath) };
    this.depth -= 1;
    return left;
  }

  private conjunction(inValuePath: boolean): Filter {
    let left = this.unary(inValuePath);
    while (this.keyword("and")) left = { kind: "and", left, right: this.unary(inValuePath) };
    return left;
  }

  private unary(inValuePath: boolean): Filter {
    if (this.keyword("not")) {
      this.expect("(");
      const filter = this.filter(inValuePath);
      this.expect(")");
      return { kind: "not", filter };
    }
    if (this.peek()?.type === "(") {
      this.next();
      const filter = this.filter(inValuePath);
      this.expect(")");
      return filter;
    }
    return this.attrExpression(inValuePath);
  }

  private attrExpression(inValuePath: boolean): Filter {
    const path = this.attrPath(!inValuePath);
    const token = this.peek();
    const op = token?.type === "word" ? token.value.toLowerCase() : null;
    if (op === "pr") {
      this.next();
      return { kind: "present", path };
    }
    if (op && (COMPARE_OPS as readonly string[]).includes(op)) {
      this.next();
      return { kind: "compare", path, op: op as CompareOp, value: this.literal() };
    }
    if (path.filter && !path.sub) return { kind: "present", path };
    const where = token ? `at character ${token.at + 1}` : "at the end";
    throw new FilterSyntaxError(`expected an operator (eq, co, sw, pr…) after "${describe(path)}" ${where}`);
  }

  private literal(): Literal {
    const token = this.next();
    if (token.type === "string") return token.value;
    if (token.type === "word") {
      const word = token.value.toLowerCase();
      if (word === "true") return true;
      if (word === "false") return false;
      if (word === "null") return null;
      if (NUMBER.test(token.value)) return Number(token.value);
    }
    throw new FilterSyntaxError(
      `expected a value (a "quoted string", a number, true, false or null) at character ${token.at + 1}`,
    );
  }

  /** An attribute path; with a value filter only where `allowFilter` (not inside another one). */
  attrPath(allowFilter: boolean): AttrPath {
    const token = this.next();
    if (token.type !== "word") {
      throw new FilterSyntaxError(`expected an attribute name at character ${token.at + 1}`);
    }
    const path = namePath(token.value);
    if (this.peek()?.type !== "[") return path;
    if (!allowFilter || path.sub) {
      throw new FilterSyntaxError(`cannot put a value filter here (character ${(this.peek()?.at ?? 0) + 1})`);
    }
    this.next();
    const filter = this.filter(true);
    this.expect("]");
    const after = this.peek();
    if (after?.type === "word" && after.value.startsWith(".") && isAdjacent(this.tokens, this.i)) {
      this.next();
      const sub = after.value.slice(1);
      if (!ATTR_NAME.test(sub)) throw new FilterSyntaxError(`"${sub}" is not an attribute name`);
      return { ...path, filter, sub };
    }
    return { ...path, filter };
  }
}

/** The `.sub` after `]` must touch it: `emails[…] .value` is two things, not one path. */
function isAdjacent(tokens: Token[], i: number): boolean {
  const close = tokens[i - 1];
  const word = tokens[i];
  return close !== undefined && word !== undefined && word.at === close.at + 1;
}

function namePath(word: string): AttrPath {
  const { urn, rest } = splitUrn(word);
  const [attr, sub, extra] = rest.split(".");
  if (!attr || !ATTR_NAME.test(attr) || extra !== undefined || (sub !== undefined && !ATTR_NAME.test(sub))) {
    throw new FilterSyntaxError(`"${word}" is not an attribute path`);
  }
  return sub === undefined ? { urn, attr } : { urn, attr, sub };
}

export function describe(path: AttrPath): string {
  const base = path.urn ? `${path.urn}:${path.attr}` : path.attr;
  return `${base}${path.filter ? "[…]" : ""}${path.sub ? `.${path.sub}` : ""}`;
}

/** Parses a `filter=` expression; throws FilterSyntaxError saying what is wrong and where. */
export function parseFilter(text: string): Filter {
  const parser = new Parser(tokenize(text));
  if (parser.atEnd()) throw new FilterSyntaxError("is empty");
  const filter = parser.filter(false);
  const rest = parser.peek();
  if (rest) throw new FilterSyntaxError(`has something unexpected at character ${rest.at + 1}`);
  return filter;
}

/** Parses a PATCH `path`: an attribute path, optionally with a value filter and a sub-attribute. */
export function parsePath(text: string): AttrPath {
  const parser = new Parser(tokenize(text));
  if (parser.atEnd()) throw new FilterSyntaxError("is empty");
  const path = parser.attrPath(true);
  const rest = parser.peek();
  if (rest) throw new FilterSyntaxError(`has something unexpected at character ${rest.at + 1}`);
  return path;
}

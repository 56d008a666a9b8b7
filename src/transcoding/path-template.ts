// Parser for google.api.http path templates (see google/api/http.proto, "Path template syntax"):
//
//   Template = "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb     = ":" LITERAL ;
//
// The grammar leaves LITERAL open. We accept RFC 3986 pchar minus the characters that carry meaning
// in a template ("*", "=", ":"), so "/v1/a:b" can only mean literal "a" with verb "b" and a literal
// never has to be disambiguated from a wildcard or a binding. Percent-escapes in literals are decoded
// once here, so "%7E" and "~" are the same literal and matching can compare decoded text.

/** One segment of a parsed template: a decoded literal, `*` (exactly one segment) or `**` (zero or more trailing segments). */
export type TemplateSegment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "wildcard" }
  | { readonly kind: "deep-wildcard" };

/** A `{field.path=...}` binding covering the template segments `segments[start]` up to (excluding) `segments[end]`. */
export interface TemplateVariable {
  readonly fieldPath: readonly string[];
  readonly start: number;
  readonly end: number;
}

/** A parsed path template; the flat `segments` list is what routing compares against, variables only point into it. */
export interface PathTemplate {
  readonly template: string;
  readonly segments: readonly TemplateSegment[];
  readonly variables: readonly TemplateVariable[];
  readonly verb: string | undefined;
}

/** Thrown for a malformed path template; the message quotes the template so a bad annotation is easy to find. */
export class PathTemplateError extends Error {
  override readonly name = "PathTemplateError";
  readonly template: string;
  readonly problem: string;
  readonly offset: number | undefined;

  constructor(template: string, problem: string, offset?: number) {
    const where = offset === undefined ? "" : ` (at offset ${offset})`;
    super(`invalid path template ${JSON.stringify(template)}: ${problem}${where}`);
    this.template = template;
    this.problem = problem;
    this.offset = offset;
  }
}

/** Parses a google.api.http path template, throwing `PathTemplateError` on any syntax or binding error. */
export function parsePathTemplate(template: string): PathTemplate {
  return new TemplateParser(template).parse();
}

const WILDCARD: TemplateSegment = Object.freeze({ kind: "wildcard" });
const DEEP_WILDCARD: TemplateSegment = Object.freeze({ kind: "deep-wildcard" });

function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39);
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

// unreserved / sub-delims / "@" / "%", minus "*", "=" and ":" (see the header comment).
const LITERAL_PUNCTUATION = "-._~!$&'()+,;@%";

function isLiteralChar(c: number): boolean {
  return isIdentPart(c) || (c < 0x80 && LITERAL_PUNCTUATION.includes(String.fromCharCode(c)));
}

function describe(ch: string): string {
  return ch === "" ? "end of template" : JSON.stringify(ch);
}

class TemplateParser {
  private readonly template: string;
  private pos = 0;
  private inVariable = false;
  private readonly segments: TemplateSegment[] = [];
  private readonly variables: TemplateVariable[] = [];

  constructor(template: string) {
    this.template = template;
  }

  parse(): PathTemplate {
    if (!this.template.startsWith("/")) {
      this.fail('must start with "/"', 0);
    }
    this.pos = 1;
    this.parseSegments();
    let verb: string | undefined;
    if (this.peek() === ":") {
      this.pos++;
      verb = this.parseLiteral("verb");
    }
    if (this.pos < this.template.length) {
      this.fail(`unexpected ${describe(this.peek())}`);
    }
    return Object.freeze({
      template: this.template,
      segments: Object.freeze(this.segments),
      variables: Object.freeze(this.variables),
      verb,
    });
  }

  private fail(problem: string, offset: number = this.pos): never {
    throw new PathTemplateError(this.template, problem, offset);
  }

  private peek(): string {
    return this.template.charAt(this.pos);
  }

  private parseSegments(): void {
    for (;;) {
      this.parseSegment();
      if (this.peek() !== "/") {
        return;
      }
      // Segments are flat across variables, so this also rejects "{x=**}/more".
      if (this.segments[this.segments.length - 1] === DEEP_WILDCARD) {
        this.fail('"**" must be the last segment of the template');
      }
      this.pos++;
    }
  }

  private parseSegment(): void {
    const ch = this.peek();
    if (ch === "*") {
      const deep = this.template.charAt(this.pos + 1) === "*";
      this.pos += deep ? 2 : 1;
      const next = this.peek();
      if (next !== "" && next !== "/" && next !== "}" && next !== ":") {
        this.fail(`"${deep ? "**" : "*"}" must be a whole segment, found ${describe(next)} after it`);
      }
      this.segments.push(deep ? DEEP_WILDCARD : WILDCARD);
    } else if (ch === "{") {
      if (this.inVariable) {
        this.fail("variables cannot be nested");
      }
      this.parseVariable();
    } else if (ch === "" || ch === "/" || ch === "}" || ch === ":") {
      this.fail("empty segment");
    } else {
      this.segments.push({ kind: "literal", value: this.parseLiteral("literal segment") });
    }
  }

  private parseVariable(): void {
    const open = this.pos;
    this.pos++;
    const fieldPath = this.parseFieldPath();
    this.checkNotBound(fieldPath, open);
    const start = this.segments.length;
    this.inVariable = true;
    const next = this.peek();
    if (next === "=") {
      this.pos++;
      this.parseSegments();
    } else if (next === "}") {
      this.segments.push(WILDCARD);
    } else if (next !== "") {
      this.fail(`expected "=" or "}" after field path "${fieldPath.join(".")}", found ${describe(next)}`);
    }
    if (this.peek() !== "}") {
      if (this.peek() === "") {
        this.fail(`unclosed variable "${this.template.slice(open)}"`, open);
      }
      this.fail(`expected "}" to close variable "${fieldPath.join(".")}", found ${describe(this.peek())}`);
    }
    this.pos++;
    this.inVariable = false;
    this.variables.push(
      Object.freeze({ fieldPath: Object.freeze(fieldPath), start, end: this.segments.length }),
    );
  }

  private parseFieldPath(): string[] {
    const parts: string[] = [];
    for (;;) {
      const begin = this.pos;
      if (!isIdentStart(this.template.charCodeAt(this.pos))) {
        this.fail(`expected a field name (letter or "_"), found ${describe(this.peek())}`);
      }
      while (isIdentPart(this.template.charCodeAt(this.pos))) {
        this.pos++;
      }
      parts.push(this.template.slice(begin, this.pos));
      if (this.peek() !== ".") {
        return parts;
      }
      this.pos++;
    }
  }

  // A field bound twice, or a field bound both as a value and as a message ("a" and "a.b"), can never
  // be satisfied by any request message, so it is a template error regardless of the descriptor.
  private checkNotBound(fieldPath: string[], offset: number): void {
    const dotted = fieldPath.join(".");
    for (const existing of this.variables) {
      const other = existing.fieldPath.join(".");
      if (other === dotted) {
        this.fail(`field path "${dotted}" is bound more than once`, offset);
      }
      if (other.startsWith(`${dotted}.`) || dotted.startsWith(`${other}.`)) {
        this.fail(`field paths "${other}" and "${dotted}" overlap`, offset);
      }
    }
  }

  private parseLiteral(what: string): string {
    const begin = this.pos;
    while (isLiteralChar(this.template.charCodeAt(this.pos))) {
      const c = this.template.charCodeAt(this.pos);
      if (c === 0x25) {
        if (
          !isHexDigit(this.template.charCodeAt(this.pos + 1)) ||
          !isHexDigit(this.template.charCodeAt(this.pos + 2))
        ) {
          this.fail("malformed percent-escape");
        }
        this.pos += 3;
      } else {
        this.pos++;
      }
    }
    if (this.pos === begin) {
      this.fail(`expected a ${what}, found ${describe(this.peek())}`);
    }
    const raw = this.template.slice(begin, this.pos);
    try {
      return decodeURIComponent(raw);
    } catch {
      return this.fail(`percent-escapes in "${raw}" are not valid UTF-8`, begin);
    }
  }
}

/**
 * Reading YAML with the `yaml` package (`.sops.yaml`, Secret and
 * SealedSecret manifests) so that no error quotes the input: the package's
 * own messages repeat the text around a problem (`Unresolved alias …:
 * hunter2`, `Unexpected scalar … "hunter2"`), and any text could be a
 * secret value (issue 7). Errors are described by the package's error code
 * and the line and column only. Aliases to anchors that do not exist (an
 * unquoted value starting with `*`) are found before `toJS()` would throw
 * its own message.
 */
import { LineCounter, isAlias, isCollection, isPair, parseAllDocuments } from "yaml";
import { MAX_NESTING_DEPTH } from "../core/index.js";
import type { Document, DocumentOptions, ErrorCode, ParseOptions, SchemaOptions, YAMLError } from "yaml";


const PHRASES: Readonly<Partial<Record<ErrorCode, string>>> = {
  BAD_ALIAS: "an alias is not valid here",
  BAD_DQ_ESCAPE: "a double-quoted string has an invalid escape",
  BAD_INDENT: "the indentation is not valid here",
  BAD_SCALAR_START: "a plain value cannot start with this character (quote it)",
  BLOCK_AS_IMPLICIT_KEY: "a block collection cannot be a key",
  DUPLICATE_KEY: "a mapping key is defined twice",
  MISSING_CHAR: "a closing quote or bracket is missing",
  MULTILINE_IMPLICIT_KEY: "a key runs over more than one line (a value with ': ' in it? quote it)",
  TAB_AS_INDENT: "tabs cannot be used for indentation",
  TAG_RESOLVE_FAILED: "a value does not fit its tag",
  UNEXPECTED_TOKEN: "unexpected text",
};

/** One line about a `yaml` package error: what kind of problem and where, never the text. */
export function describeYamlError(error: YAMLError, lines: LineCounter): string {
  const what = PHRASES[error.code] ?? error.code.toLowerCase().replaceAll("_", " ");
  return `${what}${at(lines, error.pos[0])}`;
}

function at(lines: LineCounter, offset: number | undefined): string {
  if (offset === undefined || offset < 0) return "";
  const { line, col } = lines.linePos(offset);
  return ` at line ${line}, column ${col}`;
}

/** Depth-first over a document's nodes (iteratively: a deep document cannot overflow the stack); the first problem found. */
function structureProblem(doc: Document, lines: LineCounter, maxDepth: number): string | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { node, depth } = top;
    if (isAlias(node)) {
      if (node.resolve(doc) === undefined) return `an alias names an anchor that is not defined before it (a value starting with * must be quoted)${at(lines, node.range?.[0])}`;
    } else if (isCollection(node)) {
      if (depth >= maxDepth) return `the document nests deeper than ${maxDepth} levels${at(lines, node.range?.[0])}`;
      for (const item of node.items) {
        if (isPair(item)) stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
        else stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** `parseAllDocuments`; the package's parser recurses once per level, so a deep enough block document overflows it: `tooDeep` then. */
function parseDocs(text: string, options: ParseOptions & DocumentOptions & SchemaOptions, tooDeep: () => never): Document.Parsed[] {
  try {
    return Array.from(parseAllDocuments(text, options));
  } catch (err) {
    if (err instanceof RangeError) tooDeep();
    throw err;
  }
}

/** The documents of a YAML text, with a line counter for positions. */
export interface SafeYaml {
  readonly docs: Document.Parsed[];
  readonly lines: LineCounter;
}

/**
 * Parse every document of `text` with the `yaml` package, and check it can
 * be converted safely: no syntax error, no alias to a missing anchor, no
 * nesting beyond `maxDepth`. `fail` receives a one-line description (line
 * and column, never the input's text) and must throw.
 */
export function parseYamlSafely(
  text: string,
  options: ParseOptions & DocumentOptions & SchemaOptions,
  fail: (problem: string) => never,
  maxDepth = MAX_NESTING_DEPTH,
): SafeYaml {
  const lines = new LineCounter();
  const docs = parseDocs(text, { ...options, lineCounter: lines, prettyErrors: false }, () => fail(`the document nests deeper than ${maxDepth} levels`));
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first !== undefined) fail(describeYamlError(first, lines));
    const problem = structureProblem(doc, lines, maxDepth);
    if (problem !== undefined) fail(problem);
  }
  return { docs, lines };
}

/**
 * `doc.toJS()` whose own errors (alias expansion over `maxAliasCount`) are
 * replaced by one fixed line for `fail`.
 */
export function toJsSafely(doc: Document, maxAliasCount: number, fail: (problem: string) => never): unknown {
  try {
    return doc.toJS({ maxAliasCount });
  } catch {
    return fail(`the yaml uses aliases too heavily (limit ${maxAliasCount}): refusing a possible alias bomb`);
  }
}

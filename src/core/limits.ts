/**
 * Limits every parser and recursive walk applies to input (issue 7; the
 * full list is in docs/security.md). One place, so that the commands that
 * produce a file and the commands that read it agree.
 */

/**
 * How deep any input may nest: mappings and lists in YAML and JSON (after
 * alias expansion), parentheses in a SealedSecret template. Deeper input is
 * refused with the parser's `*.parse_failed` / `input.invalid` code, long
 * before a recursive walk could overflow the stack.
 */
export const MAX_NESTING_DEPTH = 1000;

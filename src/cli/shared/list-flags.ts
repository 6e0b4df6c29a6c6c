/** Flags that take a list, as pflag's StringSlice reads them (`--private-key a,b --private-key c`). */

/** A comma-separated flag value, as pflag's StringSlice reads it. */
export function splitList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Append a repeatable, comma-separated flag value. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...splitList(value)];
}

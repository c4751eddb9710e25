/**
 * The commands' `--flag [value]` options, read one by one: `take` gets each flag and a function that consumes the
 * flag's value, failing with `--flag needs a value` when the arguments end first. `take` throws on a flag it does
 * not know.
 */
export function readFlags(argv: readonly string[], take: (flag: string, value: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    take(flag, () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    });
  }
}

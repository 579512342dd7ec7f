import { UsageError } from './command';

export type OptionSpec = Record<string, { type: 'string' | 'number' | 'boolean' | 'list'; alias?: string }>;
export type ParsedArgs = { positionals: string[]; options: Record<string, string | number | boolean | string[] | undefined> };

/**
 * Parses `--name value`, `--name=value`, booleans and repeatable list options. Unknown options and
 * malformed numbers are usage errors naming the option, so a typo never silently changes a run.
 */
export function parseArgs(argv: string[], spec: OptionSpec): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  const aliases = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.alias) aliases.set(s.alias, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let key = arg.replace(/^--?/, '');
    let inline: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) {
      inline = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    key = aliases.get(key) ?? key;
    const s = spec[key];
    if (!s) throw new UsageError(`unknown option --${key}`);
    if (s.type === 'boolean') {
      options[key] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option --${key} needs a value`);
    if (s.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`option --${key}: '${value}' is not a number`);
      options[key] = n;
    } else if (s.type === 'list') {
      const prev = (options[key] as string[] | undefined) ?? [];
      options[key] = [...prev, ...value.split(',').filter((v) => v.length > 0)];
    } else {
      options[key] = value;
    }
  }
  return { positionals, options };
}

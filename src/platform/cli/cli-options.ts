// The one flag reader of the command-line tools and of the Node scripts (which load this file through
// scripts/cli-options.js): node:util's parseArgs in strict mode, `--help` printing the usage, every option and
// an example before anything is opened, and a usage problem (unknown flag, missing or bad value) as one
// message, exit 2.
import { parseArgs } from 'node:util';

interface OptionBase {
  help: string;
  /** The value's name in the help: `--event <eventId>`. */
  value?: string;
}
export type CliOption =
  | (OptionBase & { type: 'boolean' })
  | (OptionBase & {
      type: 'string';
      default?: string;
      required?: boolean;
      /** The accepted values, and what the message says when another is given. */
      valid?: { test: (value: string) => boolean; expected: string };
    })
  | (OptionBase & { type: 'number'; default?: number; required?: boolean; min?: number; integer?: boolean });

export interface CliSpec {
  /** `npm run verify -- --event <eventId>` */
  usage: string;
  about: string;
  options: Record<string, CliOption>;
  /** Whole command lines, shown under the options. */
  examples: readonly string[];
  /** Printed after the examples. */
  notes?: string;
}

type ValueOf<O extends CliOption> = O extends { type: 'boolean' }
  ? boolean
  : O extends { default: unknown } | { required: true }
    ? O extends { type: 'number' }
      ? number
      : string
    : (O extends { type: 'number' } ? number : string) | undefined;

export type CliValues<S extends CliSpec> = { [K in keyof S['options']]: ValueOf<S['options'][K]> };

/** A flag the tool cannot run with: printed with the usage line, exit 2. */
export class UsageError extends Error {}

export type CliParse<S extends CliSpec> = { help: true } | { help: false; values: CliValues<S> };

/** The flags read and checked, or that help was asked for; throws UsageError. No output, no exit. */
export function parseCliOptions<const S extends CliSpec>(spec: S, argv: readonly string[]): CliParse<S> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, option] of Object.entries(spec.options))
    options[name] = { type: option.type === 'boolean' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    if (String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS'))
      throw new UsageError((error as Error).message);
    throw error;
  }
  if (values['help'] === true) return { help: true };
  const result: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec.options)) result[name] = valueOf(name, option, values[name]);
  return { help: false, values: result as CliValues<S> };
}

function valueOf(name: string, option: CliOption, raw: string | boolean | undefined): unknown {
  if (option.type === 'boolean') return raw === true;
  if (raw === undefined || typeof raw === 'boolean') {
    if (option.required) throw new UsageError(`--${name} is required`);
    return option.default;
  }
  if (option.type === 'string') {
    if (option.valid !== undefined && !option.valid.test(raw))
      throw new UsageError(`--${name} must be ${option.valid.expected}, got "${raw}"`);
    return raw;
  }
  const n = Number(raw);
  const min = option.min ?? 0;
  const kind = option.integer ? 'a whole number' : 'a number';
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || (option.integer && !Number.isInteger(n)))
    throw new UsageError(`--${name} must be ${kind} >= ${min}, got "${raw}"`);
  return n;
}

export function helpText(spec: CliSpec): string {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const value = option.value ?? (option.type === 'number' ? 'n' : 'value');
    const flag = option.type === 'boolean' ? `--${name}` : `--${name} <${value}>`;
    const extra =
      option.type === 'boolean'
        ? ''
        : option.required
          ? ' (required)'
          : option.default !== undefined
            ? ` (default ${option.default})`
            : '';
    return `  ${flag.padEnd(24)} ${option.help}${extra}`;
  });
  return [
    `usage: ${spec.usage}`,
    '',
    spec.about,
    '',
    'options:',
    ...rows,
    `  ${'--help'.padEnd(24)} this text`,
    '',
    spec.examples.length === 1 ? 'example:' : 'examples:',
    ...spec.examples.map((example) => `  ${example}`),
    ...(spec.notes === undefined ? [] : ['', spec.notes]),
  ].join('\n');
}

/**
 * The tool's flags: prints the help and exits 0 on `--help`, prints the problem and the usage line and exits
 * 2 on a usage error. Call it first, before any configuration is read or connection opened.
 */
export function readCliOptions<const S extends CliSpec>(spec: S, argv = process.argv.slice(2)): CliValues<S> {
  try {
    const parsed = parseCliOptions(spec, argv);
    if (!parsed.help) return parsed.values;
    process.stdout.write(`${helpText(spec)}\n`);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\nusage: ${spec.usage} (--help lists the options)\n`);
    process.exit(2);
  }
}

/** The event id flag the consistency tools share. */
export const EVENT_OPTION = {
  type: 'string',
  required: true,
  value: 'eventId',
  help: 'the sale event to work on',
  valid: { test: (value: string) => /^[A-Za-z0-9_-]{1,64}$/.test(value), expected: '1-64 letters, digits, "_" or "-"' },
} as const satisfies CliOption;

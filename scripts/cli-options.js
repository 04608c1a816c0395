// One way for the project's Node scripts to read their flags: node:util's parseArgs in strict mode (an
// unknown flag or a missing value is an error, exit 2), `--help` printing the usage and every option
// and an example without doing anything else, and numbers checked once, here, naming the flag.
const { parseArgs } = require('node:util');

class UsageError extends Error {}

/**
 * spec: { usage: 'npm run bench -- [options]', about: 'what it does', options: { name: { type: 'string' |
 * 'boolean' | 'number', default?, help } }, examples: ['npm run bench -- --purchases 1000'] }. Returns the values, numbers as numbers; exits on --help (0)
 * and on a usage error (2).
 */
function readCliOptions(spec, argv = process.argv.slice(2)) {
  const options = { help: { type: 'boolean', short: 'h', default: false } };
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = {
      type: option.type === 'boolean' ? 'boolean' : 'string',
      ...(option.default !== undefined && { default: String(option.default) }),
    };
    if (option.type === 'boolean') options[name].default = option.default ?? false;
  }
  try {
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    if (values.help) {
      console.log(helpText(spec));
      process.exit(0);
    }
    const result = {};
    for (const [name, option] of Object.entries(spec.options)) {
      const raw = values[name];
      if (option.type !== 'number' || raw === undefined) {
        result[name] = raw;
        continue;
      }
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n) || n < 0)
        throw new UsageError(`--${name} must be a number >= 0, got "${raw}"`);
      result[name] = n;
    }
    return result;
  } catch (error) {
    if (!(error instanceof UsageError) && !String(error.code ?? '').startsWith('ERR_PARSE_ARGS')) throw error;
    console.error(`${error.message}\nusage: ${spec.usage} (--help lists the options)`);
    process.exit(2);
  }
}

function helpText(spec) {
  const rows = Object.entries(spec.options).map(([name, option]) => {
    const flag = option.type === 'boolean' ? `--${name}` : `--${name} <${option.type === 'number' ? 'n' : 'value'}>`;
    const fallback = option.default !== undefined && option.type !== 'boolean' ? ` (default ${option.default})` : '';
    return `  ${flag.padEnd(28)} ${option.help}${fallback}`;
  });
  const examples = spec.examples ?? [];
  return [
    `usage: ${spec.usage}`,
    '',
    spec.about,
    '',
    'options:',
    ...rows,
    `  ${'--help'.padEnd(28)} this text`,
    ...(examples.length === 0 ? [] : ['', examples.length === 1 ? 'example:' : 'examples:']),
    ...examples.map((example) => `  ${example}`),
  ].join('\n');
}

module.exports = { readCliOptions, UsageError };

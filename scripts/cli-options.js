// The scripts read their flags with the command-line tools' own reader, src/platform/cli/cli-options.ts:
// one source for the flags' rules (strict, `--help` with an example, numbers checked naming the flag). The
// scripts parse their flags before they build (`--help` must answer at once, and on a fresh clone there is
// no dist/ yet), so the TypeScript source is compiled here on load with @swc/core, the transform the tests
// already use (~35 ms, no type check: `npm run typecheck` covers the file). The scripts are development tools:
// the devDependencies are installed wherever they run.
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { transformFileSync } = require('@swc/core');

const SOURCE = join(__dirname, '..', 'src', 'platform', 'cli', 'cli-options.ts');

function loadTypeScript(file) {
  const { code } = transformFileSync(file, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    swcrc: false,
    configFile: false,
  });
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(dirname(file));
  loaded._compile(code, file);
  return loaded.exports;
}

/** readCliOptions(spec, argv?) and UsageError, as src/platform/cli/cli-options.ts defines them. */
module.exports = loadTypeScript(SOURCE);

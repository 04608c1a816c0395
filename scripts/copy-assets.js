// Copies the non-TypeScript files the code reads at run time (Lua scripts, the default catalog) beside the
// compiled code: into dist/, or into the folder given (the harness build compiles src/ there too).
const { cpSync } = require('node:fs');

cpSync('src', process.argv[2] ?? 'dist', {
  recursive: true,
  filter: (source) => !/\.ts$/.test(source),
});

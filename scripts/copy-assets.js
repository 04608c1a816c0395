// Copies the non-TypeScript files the code reads at run time (Lua scripts, the default catalog) into dist/.
const { cpSync } = require('node:fs');

cpSync('src', 'dist', {
  recursive: true,
  filter: (source) => !/\.ts$/.test(source),
});

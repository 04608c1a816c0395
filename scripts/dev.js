// `npm run dev`: the API and the worker restarted on every change. One full build (assets, web pages), then
// `tsc --watch` recompiles src/ into dist/ and `node --watch` restarts each process when its compiled files
// change. Settings come from .env as for `npm start`, which brings up the services and DynamoDB first.
const { spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { readCliOptions } = require('./cli-options');

const ROOT = join(__dirname, '..');
const options = readCliOptions({
  usage: 'npm run dev -- [options]',
  about:
    'Development: builds once, then recompiles src/ on every change (tsc --watch) and restarts the API and the\n' +
    'worker (node --watch). Lua scripts, the catalog and web/ are copied by the first build only: rerun it\n' +
    'after changing them. Ctrl-C stops everything.',
  options: {
    only: { type: 'string', help: 'api or worker: run only that process' },
    'no-migrate': { type: 'boolean', help: 'skip npm run migrate before starting' },
  },
  examples: ['npm run dev', 'npm run dev -- --only api'],
});
if (options.only !== undefined && !['api', 'worker'].includes(options.only)) {
  console.error(`--only must be api or worker, got "${options.only}"`);
  process.exit(2);
}

const run = (args) => spawnSync('npm', ['run', ...args, '--silent'], { cwd: ROOT, stdio: 'inherit' }).status;
if (run(['build']) !== 0) process.exit(1);
if (!options['no-migrate'] && run(['migrate']) !== 0) process.exit(1);

const children = [
  spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--watch',
      '--preserveWatchOutput',
      '-p',
      'tsconfig.build.json',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  ),
];
for (const name of ['api', 'worker']) {
  if (options.only !== undefined && options.only !== name) continue;
  children.push(spawn(process.execPath, ['--watch', join('dist', `main.${name}.js`)], { cwd: ROOT, stdio: 'inherit' }));
}

const stop = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// One of them ending (a compile that cannot watch, a process that will not start) ends the session.
for (const child of children) child.once('exit', stop);

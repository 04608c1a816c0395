// How to start JMeter headless on this machine, in this order:
//   1. JMETER=/path/to/apache-jmeter-5.x/bin/jmeter: that JMeter, as it is.
//   2. Debian's packaged JMeter 2.13 (/usr/share/jmeter, `apt-get install jmeter jmeter-http`): its stock
//      `jmeter` refuses every plan (ForbiddenClassException from Debian's newer XStream), so it is started
//      through launcher/DebianJMeterLauncher.java, compiled with javac on first use into test-output/.
//   3. `jmeter` from the PATH (a JMeter 5.x install).
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, renameSync, rmSync, statSync } = require('node:fs');
const { delimiter, join } = require('node:path');

const ROOT = join(__dirname, '..');
const LAUNCHER_SOURCE = join(__dirname, 'launcher', 'DebianJMeterLauncher.java');
const LAUNCHER_CLASSES = join(ROOT, 'test-output', 'jmeter', 'launcher-classes');
const DEBIAN_HOME = process.env.JMETER_HOME ?? '/usr/share/jmeter';
const DEBIAN_XSTREAM = '/usr/share/java/xstream.jar';
/** JMeter's own default heap is 1 GB; 1000 threads need little more than their stacks. */
const DEFAULT_JVM_ARGS = ['-Xms256m', '-Xmx1g'];

const javaTool = (name) => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', name) : name);

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Why Debian's JMeter cannot run the plan here, or null when it can. */
function debianJMeterMissing() {
  const jar = join(DEBIAN_HOME, 'bin', 'ApacheJMeter.jar');
  if (!existsSync(jar)) return `no JMeter at ${DEBIAN_HOME} (apt-get install jmeter jmeter-http)`;
  if (!existsSync(join(DEBIAN_HOME, 'lib', 'ext', 'ApacheJMeter_http.jar'))) {
    return 'JMeter has no HTTP sampler (apt-get install jmeter-http)';
  }
  if (!existsSync(DEBIAN_XSTREAM)) return `no ${DEBIAN_XSTREAM} (Debian's JMeter depends on libxstream-java)`;
  if (!onPath(javaTool('javac'))) return 'no javac to build the JMeter launcher (apt-get install default-jdk-headless)';
  return null;
}

/** Compiles the launcher when its class is missing or older than its source; safe for concurrent runs. */
function compileLauncher() {
  const compiled = join(LAUNCHER_CLASSES, 'DebianJMeterLauncher.class');
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= statSync(LAUNCHER_SOURCE).mtimeMs) return;
  const staging = `${LAUNCHER_CLASSES}.${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const classPath = [join(DEBIAN_HOME, 'bin', 'ApacheJMeter.jar'), DEBIAN_XSTREAM].join(delimiter);
  const javac = spawnSync(javaTool('javac'), ['-d', staging, '-cp', classPath, LAUNCHER_SOURCE], { encoding: 'utf8' });
  if (javac.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`javac failed on ${LAUNCHER_SOURCE}:\n${javac.stderr}${javac.error ?? ''}`);
  }
  rmSync(LAUNCHER_CLASSES, { recursive: true, force: true });
  renameSync(staging, LAUNCHER_CLASSES);
}

/**
 * The JMeter to use, as `{ label, command(jmeterArgs) → [file, args] }`; throws with what to install when
 * there is none.
 */
function resolveJMeter() {
  const jvmArgs = (process.env.JVM_ARGS ?? '').split(' ').filter(Boolean);
  if (process.env.JMETER) {
    return { label: process.env.JMETER, command: (args) => [process.env.JMETER, args] };
  }
  const debianMissing = debianJMeterMissing();
  if (debianMissing === null) {
    compileLauncher();
    const classPath = [LAUNCHER_CLASSES, join(DEBIAN_HOME, 'bin', 'ApacheJMeter.jar')].join(delimiter);
    return {
      label: `Debian JMeter 2.13 (${DEBIAN_HOME}) through DebianJMeterLauncher`,
      command: (args) => [
        javaTool('java'),
        [
          ...(jvmArgs.length > 0 ? jvmArgs : DEFAULT_JVM_ARGS),
          `-Djmeter.home=${DEBIAN_HOME}`,
          '-cp',
          classPath,
          'DebianJMeterLauncher',
          ...args,
        ],
      ],
    };
  }
  if (existsSync(join(DEBIAN_HOME, 'bin', 'ApacheJMeter.jar')) || !onPath('jmeter')) {
    throw new Error(`cannot run JMeter: ${debianMissing}; or set JMETER to a JMeter 5.x bin/jmeter`);
  }
  return { label: 'jmeter from the PATH', command: (args) => ['jmeter', args] };
}

module.exports = { resolveJMeter, debianJMeterMissing };

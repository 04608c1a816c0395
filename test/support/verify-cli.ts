import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_CATALOG_FILE, testConfig, testNamespace } from './test-config';

const ROOT = join(__dirname, '..', '..');

/** Runs the real `verify` tool (dist/) for one event against the given stores; its exit code and output. */
export function runVerify(eventId: string, env: Record<string, string>): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'consistency', 'verify.main.js'), '--event', eventId], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        AMQP_NAMESPACE: testNamespace(),
        REDIS_URL: testConfig().REDIS_URL,
        CATALOG_FILE: TEST_CATALOG_FILE,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) console.log(`verify ${eventId} exited ${code}:\n${output}`);
      resolve({ exitCode: code ?? -1, output });
    });
  });
}

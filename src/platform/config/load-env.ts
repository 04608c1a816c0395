import { existsSync } from 'node:fs';
import { parseConfig, type AppConfig } from './app-config';

/** Reads `.env` (if present, without overriding the real environment) and validates the result. */
export function loadConfig(): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return parseConfig(process.env);
}

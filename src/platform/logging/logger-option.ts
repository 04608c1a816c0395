import type { LoggerService, LogLevel } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { JsonLogger } from './json-logger';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug'];

/** The `logger` option of both applications, from LOG_FORMAT and LOG_LEVEL. */
export function nestLogger(config: Pick<AppConfig, 'LOG_FORMAT' | 'LOG_LEVEL'>): LoggerService | LogLevel[] {
  if (config.LOG_FORMAT === 'json') return new JsonLogger(config.LOG_LEVEL);
  return LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1);
}

export { sleep } from '../../src/platform/time';

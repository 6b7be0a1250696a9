export { startPlatform, platformServices, formatLogLine } from './launcher/launcher';
export type { Platform, ServiceSpec } from './launcher/launcher';
export { readPlatformConfig } from './launcher/config';

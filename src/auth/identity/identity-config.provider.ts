import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { loadIdentityConfig } from './identity-config.js';

export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

/** Loads config/identity.yaml at boot: a bad claim mapping stops the service with every problem named. */
export const identityConfigProvider: Provider = {
  provide: IDENTITY_CONFIG,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => loadIdentityConfig(config.identity.file),
};

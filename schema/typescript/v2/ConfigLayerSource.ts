// GENERATED CODE! DO NOT MODIFY BY HAND!

/**
 * Where a config layer comes from.
 */
export type ConfigLayerSource = { "type": "mdm", domain: string, key: string, } | { "type": "system", file: string, } | { "type": "user", file: string, } | { "type": "project", dotCodexFolder: string, } | { "type": "sessionFlags" } | { "type": "legacyManagedConfigTomlFromFile", file: string, } | { "type": "legacyManagedConfigTomlFromMdm" };

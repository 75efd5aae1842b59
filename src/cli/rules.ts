import { loadRules, RuleEngine } from '../classify/index.js';
import type { LoadedConfig } from '../config/load.js';

/** The bundled packs the config selects plus its rule files (paths or folders), compiled into an engine. */
export function loadClassifierFor(cfg: { rules: Pick<LoadedConfig['rules'], 'files'> & Partial<Pick<LoadedConfig['rules'], 'packs'>> }): RuleEngine {
  return new RuleEngine(loadRules({ builtin: true, packs: cfg.rules.packs, files: cfg.rules.files }));
}

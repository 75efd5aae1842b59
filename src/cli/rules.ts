import { loadRules, RuleEngine } from '../classify/index.js';
import type { LoadedConfig } from '../config/load.js';

/** The bundled rule pack plus the config's rule files (paths or folders), compiled into an engine. */
export function loadClassifierFor(cfg: Pick<LoadedConfig, 'rules'>): RuleEngine {
  return new RuleEngine(loadRules({ builtin: true, files: cfg.rules.files }));
}

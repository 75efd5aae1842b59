import { loadClassifier } from '../classify/index.js';
import type { Classifier } from '../classify/types.js';
import type { LoadedConfig } from '../config/load.js';

/** The bundled rule pack plus the config's rule files. */
export async function loadClassifierFor(cfg: LoadedConfig): Promise<Classifier> {
  return loadClassifier({ files: cfg.rules.files });
}

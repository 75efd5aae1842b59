// The kill test at a size for `npm test`; test/system/kill.test.ts runs issue 11's size (5 × 2,000).
import { burstsScenario, steadyScenario } from './kill-scenarios.js';

burstsScenario(5, 400);
steadyScenario(6, 1500);

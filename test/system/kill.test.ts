// Issue 11's Done-when: bursts of 2,000 new incidents (one app key each), SIGKILL at a random moment
// after each, 5 times; and 10 random SIGKILLs under a steady flow. Here rather than in `npm test` for
// its run time (about a minute on an idle machine, several on a loaded one), not for a system package.
import { burstsScenario, steadyScenario } from '../notify/kill-scenarios.js';

burstsScenario(5, 2000);
steadyScenario(10, 6000);

/**
 * The page's client script: the parts in dependency order inside one strict
 * function scope, started once the document is parsed (the script sits at
 * the end of the body).
 */
import { CLIENT_API } from './api.ts';
import { CLIENT_CHARTS } from './charts.ts';
import { CLIENT_HELPERS } from './helpers.ts';
import { CLIENT_JOBS } from './jobs.ts';
import { CLIENT_PLAYERS } from './players.ts';
import { CLIENT_REFERENCES } from './references.ts';
import { CLIENT_WORKFLOW } from './workflow.ts';

export const PAGE_SCRIPT = ['(function () {', "'use strict';", CLIENT_HELPERS, CLIENT_API, CLIENT_CHARTS, CLIENT_PLAYERS, CLIENT_JOBS, CLIENT_REFERENCES, CLIENT_WORKFLOW, 'init();', '})();'].join('\n');

import type { Scenario } from '../scenario';
import { getUser, updateUser, createUser } from './users.scenarios';
import { createTask, getTask, updateTask } from './work.scenarios';
import { createDocument, getDocument } from './content.scenarios';
import { postMessage } from './comms.scenarios';
import { recordInteraction } from './ai-usage.scenarios';

/** Every measured call, in the order of the report. */
export const SCENARIOS: readonly Scenario[] = [
  updateUser,
  updateTask,
  createTask,
  createDocument,
  postMessage,
  getUser,
  getTask,
  getDocument,
  createUser,
];

/** Each service's main write, driven all at once in the sustained-load measurement. */
export const MAIN_WRITES: readonly string[] = [
  'UpdateUser',
  'CreateTask',
  'UpdateTask',
  'CreateDocument',
  'PostMessage',
];

/** Main writes measured against H elsewhere (a service's own bench), driven in the sustained load too. */
export const SUSTAINED_ONLY: readonly Scenario[] = [recordInteraction];

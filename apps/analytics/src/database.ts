import { MIGRATIONS } from './migrations';
import { READ_MODEL_ENTITIES } from './read-models/read-model.entities';

/** The analytics schema: what the service, the nexus CLI and the drift check share. */
export const database = {
  schema: 'analytics',
  entities: READ_MODEL_ENTITIES,
  migrations: MIGRATIONS,
};

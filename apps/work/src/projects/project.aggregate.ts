import { defineAggregate, type JsonObject } from '@nexus/db';
import { workV1 } from '@nexus/proto';
import type { ProjectEntity } from './project.entity';
import { toProjectMessage } from './project.mapping';

/** Events on `nexus.work.project` carry the API's Project message (members included) in proto3 JSON. */
export const projectAggregate = defineAggregate<ProjectEntity>({
  service: 'work',
  name: 'project',
  toResource: (project) => workV1.Project.toJSON(toProjectMessage(project)) as JsonObject,
});

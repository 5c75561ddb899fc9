import { TaskActivityEntity } from './activity/task-activity.entity';
import { TaskCommentEntity } from './comments/task-comment.entity';
import { MIGRATIONS } from './migrations';
import { ProjectMemberEntity } from './projects/project-member.entity';
import { ProjectEntity } from './projects/project.entity';
import { TaskDependencyEntity } from './tasks/task-dependency.entity';
import { TaskEntity } from './tasks/task.entity';
import { TimeEntryEntity } from './tasks/time-entry.entity';

/** The work schema: what the service, the nexus CLI and the drift check share. */
export const database = {
  schema: 'work',
  entities: [
    ProjectEntity,
    ProjectMemberEntity,
    TaskEntity,
    TaskDependencyEntity,
    TimeEntryEntity,
    TaskCommentEntity,
    TaskActivityEntity,
  ],
  migrations: MIGRATIONS,
};

import { uuidv7 } from '@nexus/core';
import { workV1 } from '@nexus/proto';
import { outboxRow, type Statement } from '../raw-sql';
import { own, spread, type Caller, type Scenario, type SeedContext } from '../scenario';

// The statements the service runs (SQL_ECHO=true shows them), with the same columns.
const TASK_COLUMNS = `id, created_at, updated_at, version, project_id, title, description, status,
  priority, assignee_id, reporter_id, estimated_hours, actual_hours, start_date, due_date, due_sort,
  completed_at, tags, parent_task_id`;
const PROJECT_BY_ID = `SELECT id, created_at, updated_at, version, deleted_at, name, description,
  status, priority, start_date, end_date, budget_amount, budget_currency, hourly_rate, owner_id
  FROM "work"."projects" WHERE id = $1 LIMIT 1`;

const taskById = (id: string, lock = ''): Statement => ({
  name: `bench-task-by-id${lock ? '-locked' : ''}`,
  text: `SELECT ${TASK_COLUMNS} FROM "work"."tasks" WHERE id = $1 LIMIT 1 ${lock}`,
  values: [id],
  rows: 1,
});
const projectById = (id: string, lock = ''): Statement => ({
  name: `bench-project-by-id${lock ? '-shared' : ''}`,
  text: `${PROJECT_BY_ID} ${lock}`,
  values: [id],
  rows: 1,
});
const member = (projectId: string, userId: string): Statement => ({
  name: 'bench-project-member',
  text: `SELECT project_id, user_id, role, created_at FROM "work"."project_members"
         WHERE project_id = $1 AND user_id = $2 LIMIT 1`,
  values: [projectId, userId],
  rows: 1,
});
const blockers = (taskId: string): Statement => ({
  name: 'bench-task-blockers',
  text: `SELECT task_id, blocker_id FROM "work"."task_dependencies" WHERE task_id IN ($1)`,
  values: [taskId],
});
const taskEvent = (key: string, verb: string) => ({
  topic: 'nexus.work.task',
  type: `nexus.work.task.${verb}`,
  source: '/nexus/work',
  key,
});

interface WorkSeed {
  caller: Caller;
  /** One project per caller, as its owner, and tasks in it. */
  projects: string[];
  tasks: string[][];
}

const seeds = new WeakMap<SeedContext, Promise<WorkSeed>>();

/** Projects and tasks for every scenario of this file, made once through the service. */
function seedWork(context: SeedContext): Promise<WorkSeed> {
  let seed = seeds.get(context);
  if (!seed) {
    seed = (async () => {
      const { clients, caller } = context;
      const as = { token: caller.token };
      const projects: string[] = [];
      const tasks: string[][] = [];
      for (let worker = 0; worker < context.concurrency; worker += 1) {
        const project = await clients.projects.createProject(
          {
            project: workV1.Project.fromPartial({ name: `Bench ${context.tag} ${worker}` }),
            requestId: '',
          },
          as,
        );
        projects.push(project.id);
        const own: string[] = [];
        for (let i = 0; i < 4; i += 1) {
          const task = await clients.tasks.createTask(
            { task: newTask(project.id, `seed ${i}`), requestId: '' },
            as,
          );
          own.push(task.id);
        }
        tasks.push(own);
      }
      return { caller, projects, tasks };
    })();
    seeds.set(context, seed);
  }
  return seed;
}

function newTask(projectId: string, title: string): workV1.Task {
  return workV1.Task.fromPartial({
    projectId,
    title,
    description: 'A task the benchmark writes',
    priority: workV1.Priority.PRIORITY_HIGH,
    tags: ['bench', 'load'],
  });
}

/** A member creates tasks in their project: project share-locked, membership, INSERT, outbox. */
export const createTask: Scenario = {
  name: 'CreateTask',
  service: 'work',
  reference: { kind: 'h', bound: 0.65 },
  rawWork: 'BEGIN, project FOR SHARE, membership, INSERT task, its blockers, outbox row, COMMIT',
  seed: async (context) => {
    const { caller, projects } = await seedWork(context);
    const as = { token: caller.token };
    let resource: Record<string, unknown> = {};
    return {
      call: async (clients, tag, worker, n) => {
        await clients.tasks.createTask(
          { task: newTask(own(projects, worker), `Task ${tag} ${n}`), requestId: '' },
          as,
        );
      },
      sample: async (clients, tag) => {
        const body = { task: newTask(projects[0], `Task ${tag} sample`), requestId: '' };
        const reply = await clients.tasks.createTask(body, as);
        resource = workV1.Task.toJSON(reply) as Record<string, unknown>;
        return {
          request: workV1.CreateTaskRequest.encode(body).finish(),
          reply: workV1.Task.encode(reply).finish(),
        };
      },
      raw: (sql, tag, worker, n) => {
        const projectId = own(projects, worker);
        const id = uuidv7();
        const title = `Raw ${tag} ${n}`;
        return sql.transaction(worker, [
          projectById(projectId, 'FOR SHARE'),
          member(projectId, caller.id),
          {
            name: 'bench-task-insert',
            text: `INSERT INTO "work"."tasks" (id, created_at, updated_at, version, project_id, title,
                     description, status, priority, assignee_id, reporter_id, estimated_hours,
                     actual_hours, start_date, due_date, completed_at, tags, parent_task_id)
                   VALUES ($1, DEFAULT, DEFAULT, 1, $2, $3, $4, $5, $6, $7, $8, $9, DEFAULT, $10, $11,
                     $12, $13, $14)
                   RETURNING created_at, updated_at, version, description, status, priority,
                     actual_hours, due_sort, tags`,
            values: [
              id,
              projectId,
              title,
              'A task the benchmark writes',
              'todo',
              'high',
              null,
              caller.id,
              null,
              null,
              null,
              null,
              ['bench', 'load'],
              null,
            ],
            rows: 1,
          },
          blockers(id),
          outboxRow(
            'work',
            taskEvent(id, 'created'),
            {
              before: null,
              after: { ...resource, id, projectId, title },
              actor: caller.id,
            },
            uuidv7(),
          ),
        ]);
      },
    };
  },
};

/** A member renames a task of their project, each caller its own task. */
export const updateTask: Scenario = {
  name: 'UpdateTask',
  service: 'work',
  reference: { kind: 'h', bound: 0.65 },
  rawWork:
    'BEGIN, task, project FOR SHARE, membership, task FOR NO KEY UPDATE, its blockers, UPDATE title + version, outbox row, COMMIT',
  seed: async (context) => {
    const { caller, projects, tasks } = await seedWork(context);
    const as = { token: caller.token };
    const request = (worker: number, title: string): workV1.UpdateTaskRequest => ({
      task: workV1.Task.fromPartial({ id: own(tasks, worker)[0], title }),
      updateMask: ['title'],
    });
    let resource: Record<string, unknown> = {};
    return {
      call: async (clients, tag, worker, n) => {
        await clients.tasks.updateTask(request(worker, `Renamed ${tag} ${n}`), as);
      },
      sample: async (clients, tag) => {
        const body = request(0, `Renamed ${tag}`);
        const reply = await clients.tasks.updateTask(body, as);
        resource = workV1.Task.toJSON(reply) as Record<string, unknown>;
        return {
          request: workV1.UpdateTaskRequest.encode(body).finish(),
          reply: workV1.Task.encode(reply).finish(),
        };
      },
      raw: (sql, tag, worker, n) => {
        const id = own(tasks, worker)[0];
        const projectId = own(projects, worker);
        const title = `Raw ${tag} ${n}`;
        return sql.transaction(worker, [
          taskById(id),
          projectById(projectId, 'FOR SHARE'),
          member(projectId, caller.id),
          taskById(id, 'FOR NO KEY UPDATE'),
          blockers(id),
          {
            name: 'bench-task-rename',
            text: `UPDATE "work"."tasks" SET title = $1, version = version + 1,
                     updated_at = CURRENT_TIMESTAMP WHERE id = $2 RETURNING updated_at, version`,
            values: [title, id],
            rows: 1,
          },
          outboxRow(
            'work',
            taskEvent(id, 'updated'),
            {
              before: resource,
              after: { ...resource, id, title },
              actor: caller.id,
            },
            uuidv7(),
          ),
        ]);
      },
    };
  },
};

/** A member reads tasks of their project: the task, its blockers, the project, the membership. */
export const getTask: Scenario = {
  name: 'GetTask',
  service: 'work',
  reference: { kind: 'h', bound: 0.75 },
  rawWork: 'task by id, its blockers, its project, the membership',
  seed: async (context) => {
    const { caller, projects, tasks } = await seedWork(context);
    const as = { token: caller.token };
    return {
      call: async (clients, _tag, worker, n) => {
        await clients.tasks.getTask({ id: spread(own(tasks, worker), worker, n) }, as);
      },
      sample: async (clients) => {
        const body = { id: tasks[0][1] };
        const reply = await clients.tasks.getTask(body, as);
        return {
          request: workV1.GetTaskRequest.encode(body).finish(),
          reply: workV1.Task.encode(reply).finish(),
        };
      },
      raw: (sql, _tag, worker, n) => {
        const id = spread(own(tasks, worker), worker, n);
        const projectId = own(projects, worker);
        return sql.run(worker, [
          taskById(id),
          blockers(id),
          projectById(projectId),
          member(projectId, caller.id),
        ]);
      },
    };
  },
};

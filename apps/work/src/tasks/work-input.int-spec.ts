import { status } from '@grpc/grpc-js';
import { workV1 } from '@nexus/proto';
import { grpcError, refusedWriteLog, type TestUser } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

let work: WorkHarness;
let owner: TestUser;
let task: workV1.Task;
const logLevel = process.env.LOG_LEVEL;

beforeAll(async () => {
  // Logging on (tests run silent), so the log can be scanned.
  process.env.LOG_LEVEL = 'error';
  work = await startWork();
  owner = await work.signUp();
  task = await work.task(owner, (await work.project(owner)).id);
});

afterAll(async () => {
  process.env.LOG_LEVEL = logLevel;
  await work.stop();
});

const logTime = (fields: Partial<workV1.TimeEntry>) =>
  work.tasks.logTime(
    {
      timeEntry: workV1.TimeEntry.fromPartial({
        taskId: task.id,
        hours: '1',
        workDate: '2024-05-01',
        ...fields,
      }),
      requestId: '',
    },
    as(owner),
  );

describe('dates and decimals', () => {
  it.each([
    ['work_date 0000-01-01', { workDate: '0000-01-01' }, 'time_entry.work_date'],
    ['work_date 2023-02-29', { workDate: '2023-02-29' }, 'time_entry.work_date'],
    ['hours " 5"', { hours: ' 5' }, 'time_entry.hours'],
    ['hours "+5"', { hours: '+5' }, 'time_entry.hours'],
    ['hours "1e1"', { hours: '1e1' }, 'time_entry.hours'],
    ['hours "1.005" (scale 2)', { hours: '1.005' }, 'time_entry.hours'],
  ])('LogTime refuses %s naming the field, and records nothing', async (_, fields, field) => {
    const error = await grpcError(logTime(fields));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual([field]);
    expect((await work.tasks.getTask({ id: task.id }, as(owner))).actualHours).toBe('0');
  });

  it('LogTime accepts the first valid date', async () => {
    await expect(logTime({ workDate: '0001-01-01', hours: '0.25' })).resolves.toMatchObject({
      workDate: '0001-01-01',
      hours: '0.25',
    });
  });

  it.each([
    [
      'a budget of " 5"',
      { budget: { amount: ' 5', currencyCode: 'EUR' } },
      'project.budget.amount',
    ],
    [
      'a budget beyond numeric(14,2)',
      { budget: { amount: '1000000000000', currencyCode: 'EUR' } },
      'project.budget.amount',
    ],
    ['an hourly rate of "-1"', { hourlyRate: '-1' }, 'project.hourly_rate'],
    ['an end date in year 10000', { endDate: '10000-01-01' }, 'project.end_date'],
    ['a start date in year 0', { startDate: '0000-12-31' }, 'project.start_date'],
  ])('CreateProject refuses %s naming the field', async (_, fields, field) => {
    const error = await grpcError(
      work.projects.createProject(
        { project: workV1.Project.fromPartial({ name: 'P', ...fields }), requestId: '' },
        as(owner),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(new Set(error.fields)).toEqual(new Set([field]));
  });
});

describe('a write the database refuses', () => {
  it('answers INTERNAL and logs none of the request, nor the token', async () => {
    const note = `refuse-secret-note-${Date.now()}`;
    const { result, unexpectedErrors, leaked } = await refusedWriteLog(
      { schema: 'work', table: 'time_entries', column: 'note', prefix: 'refuse-' },
      () => grpcError(logTime({ note, hours: '7.5' })),
      [note, 'secret-note', owner.token, owner.user.email],
    );
    expect(result.code).toBe(status.INTERNAL);
    expect({ unexpectedErrors, leaked }).toEqual({ unexpectedErrors: 1, leaked: [] });
  });
});

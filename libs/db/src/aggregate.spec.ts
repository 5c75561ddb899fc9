import { changedFields, defineAggregate } from './aggregate';

describe('changedFields', () => {
  it('lists every field of a created resource', () => {
    expect(changedFields(null, { id: '1', name: 'a', etag: '"1"' })).toEqual(['id', 'name']);
  });

  it('lists only fields whose value differs, ignoring etag and update time', () => {
    const before = { id: '1', name: 'a', tags: ['x'], etag: '"1"', updateTime: 't1' };
    const after = { id: '1', name: 'a', tags: ['x', 'y'], etag: '"2"', updateTime: 't2' };
    expect(changedFields(before, after)).toEqual(['tags']);
  });

  it('counts a field that disappeared as changed', () => {
    expect(changedFields({ id: '1', note: 'n' }, { id: '1' })).toEqual(['note']);
  });
});

describe('defineAggregate', () => {
  it('derives topic and source from the service and aggregate names', () => {
    const aggregate = defineAggregate<{ id: string }>({
      service: 'work',
      name: 'task',
      toResource: (t) => ({ id: t.id }),
    });
    expect(aggregate).toMatchObject({ topic: 'nexus.work.task', source: '/nexus/work' });
    expect(aggregate.idOf({ id: 'abc' })).toBe('abc');
  });
});

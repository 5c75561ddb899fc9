import { defineAggregate } from './aggregate';
import { EVENT_TYPE, EVENT_VERB, eventType, platformEventTypes } from './event-type';

describe('event types', () => {
  it.each(['created', 'password_changed', 'password_reset_requested', 'v2_synced'])(
    'accepts the snake_case verb %s',
    (verb) => expect(EVENT_VERB.test(verb)).toBe(true),
  );

  it.each(['password-changed', 'PasswordChanged', 'password__changed', '_x', 'x_', '2fa', ''])(
    'refuses the verb %j',
    (verb) => expect(EVENT_VERB.test(verb)).toBe(false),
  );

  it('reads kebab service and aggregate segments with a snake_case verb', () => {
    expect(EVENT_TYPE.test('nexus.ai-usage.model-price.created')).toBe(true);
    expect(EVENT_TYPE.test('nexus.users.user.password_changed')).toBe(true);
    expect(EVENT_TYPE.test('nexus.ai_usage.model-price.created')).toBe(false);
    expect(EVENT_TYPE.test('nexus.users.user.password-changed')).toBe(false);
    expect(EVENT_TYPE.test('nexus.users.user')).toBe(false);
  });

  it('refuses an aggregate whose name is not kebab-case when it is defined', () => {
    expect(() =>
      defineAggregate({ service: 'kit-test', name: 'chat_room', toResource: () => ({}) }),
    ).toThrow('not kebab-case');
  });

  it('refuses an aggregate of a platform service that PLATFORM_EVENTS does not list', () => {
    expect(() =>
      defineAggregate({ service: 'work', name: 'milestone', toResource: () => ({}) }),
    ).toThrow('nexus.work.milestone is not in PLATFORM_EVENTS');
  });

  it('refuses a verb that is not snake_case, or that a platform aggregate does not publish', () => {
    expect(() => eventType('nexus.kit-test.widget', 'passwordChanged')).toThrow('not snake_case');
    expect(() => eventType('nexus.work.task', 'archived')).toThrow(
      'nexus.work.task does not publish "archived"',
    );
    expect(eventType('nexus.users.user', 'password_changed')).toBe(
      'nexus.users.user.password_changed',
    );
    expect(eventType('nexus.kit-test.widget', 'polished')).toBe('nexus.kit-test.widget.polished');
  });

  it('lists every platform type, each one well spelt', () => {
    const types = platformEventTypes();
    expect(types).toEqual(
      expect.arrayContaining([
        'nexus.users.user.password_changed',
        'nexus.ai-usage.model-price.created',
      ]),
    );
    expect(types.filter((type) => !EVENT_TYPE.test(type))).toEqual([]);
  });
});

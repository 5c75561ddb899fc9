import { KitError } from '@nexus/core';
import { usersV1 } from '@nexus/proto';
import { UndecodableRequest, checkRequest, tolerantDefinition } from './request-guard';

describe('tolerantDefinition', () => {
  it('turns bytes that do not decode into an UndecodableRequest instead of throwing', () => {
    const definition = tolerantDefinition(usersV1.UserServiceService);
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(definition.getUser.requestDeserialize(garbage)).toBeInstanceOf(UndecodableRequest);
    const valid = Buffer.from(usersV1.GetUserRequest.encode({ id: 'x' }).finish());
    expect(definition.getUser.requestDeserialize(valid)).toEqual({ id: 'x' });
  });
});

describe('checkRequest', () => {
  const violationsOf = (request: unknown) => {
    try {
      checkRequest(request);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(KitError);
      return (error as KitError).violations.map((v) => v.field);
    }
  };

  it('refuses undecodable requests and NUL characters, naming the field', () => {
    expect(violationsOf(new UndecodableRequest('index out of range'))).toEqual(['request']);
    expect(violationsOf({ user: { fullName: 'a\u0000b' }, tags: ['ok', '\u0000'] })).toEqual([
      'user.full_name',
      'tags[1]',
    ]);
  });

  it('lets ordinary requests, bytes and dates through', () => {
    expect(violationsOf({ login: 'ada', chunk: Buffer.from([0, 0]), at: new Date() })).toEqual([]);
  });
});

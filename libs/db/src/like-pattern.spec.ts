import { likePrefix } from './like-pattern';

describe('likePrefix', () => {
  it('matches the prefix literally, escaping LIKE wildcards', () => {
    expect(likePrefix('50%_off\\')).toBe('50\\%\\_off\\\\%');
    expect(likePrefix('abc')).toBe('abc%');
  });
});

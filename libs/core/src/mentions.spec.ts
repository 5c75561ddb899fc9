import { EVERYONE_MENTION, findMentions } from './mentions';

const ANN = '018f3c1e-7a2b-7c3d-8e4f-5a6b7c8d9e0f';
const BOB = '018f3c1e-7a2b-7c3d-8e4f-5a6b7c8d9e10';

describe('findMentions', () => {
  it('finds user tokens once each, in order, lower-cased', () => {
    const text = `hi <@${BOB}> and <@${ANN.toUpperCase()}>, again <@${BOB}>`;
    expect(findMentions(text)).toEqual({ userIds: [BOB, ANN], everyone: false });
  });

  it('finds the everyone token', () => {
    expect(findMentions(`${EVERYONE_MENTION} standup`).everyone).toBe(true);
  });

  it('ignores what only looks like a mention', () => {
    const text = `@${ANN} <@not-an-id> <@${ANN}x <!rooms`;
    expect(findMentions(text)).toEqual({ userIds: [], everyone: false });
  });
});

import { newMessageId, prefixSubject, replyHeaders, threadCandidates } from './message-headers';

describe('message headers', () => {
  it('mints RFC 5322 msg-ids that differ each time', () => {
    const id = newMessageId();
    expect(id).toMatch(/^<[0-9a-f-]{36}@comms\.nexus\.local>$/);
    expect(newMessageId()).not.toBe(id);
  });

  it('replies reference the whole chain, the original last', () => {
    expect(replyHeaders({ messageId: '<c@x>', referenceIds: ['<a@x>', '<b@x>'] })).toEqual({
      inReplyTo: '<c@x>',
      referenceIds: ['<a@x>', '<b@x>', '<c@x>'],
    });
  });

  it('looks for the thread by In-Reply-To first, then References newest first', () => {
    expect(
      threadCandidates({ inReplyTo: '<c@x>', referenceIds: ['<a@x>', '<b@x>', '<c@x>'] }),
    ).toEqual(['<c@x>', '<b@x>', '<a@x>']);
    expect(threadCandidates({ inReplyTo: '', referenceIds: [] })).toEqual([]);
  });

  it('prefixes subjects once', () => {
    expect(prefixSubject('Re', 'Lunch')).toBe('Re: Lunch');
    expect(prefixSubject('Re', 'RE: Lunch')).toBe('RE: Lunch');
    expect(prefixSubject('Fwd', 'Re: Lunch')).toBe('Fwd: Re: Lunch');
  });
});

import {
  correspondents,
  externalRecipients,
  internalRecipients,
  replyAllAddressing,
  visibleBcc,
} from './recipients';

const A = '01900000-0000-7000-8000-00000000000a';
const B = '01900000-0000-7000-8000-00000000000b';
const C = '01900000-0000-7000-8000-00000000000c';
const D = '01900000-0000-7000-8000-00000000000d';

describe('recipients', () => {
  const addressing = { to: [B, 'x@example.com'], cc: [C], bcc: [D, B, 'y@example.com'] };

  it('lists each internal recipient once, sorted, and external addresses apart', () => {
    expect(internalRecipients(addressing)).toEqual([B, C, D]);
    expect(externalRecipients(addressing)).toEqual(['x@example.com', 'y@example.com']);
  });

  it('shows the whole bcc to the sender, only themselves to a bcc recipient, nothing to others', () => {
    expect(visibleBcc(addressing, A, A)).toEqual(addressing.bcc);
    expect(visibleBcc(addressing, A, D)).toEqual([D]);
    expect(visibleBcc(addressing, A, C)).toEqual([]);
  });

  it('reply-all goes to the sender and the other recipients, never to the replier', () => {
    expect(replyAllAddressing({ senderId: A, to: [B, C], cc: [D, C] }, B)).toEqual({
      to: [A, C],
      cc: [D],
    });
  });

  it('reply-all on one’s own sent message goes to its recipients', () => {
    expect(replyAllAddressing({ senderId: A, to: [B], cc: [C] }, A)).toEqual({ to: [B], cc: [C] });
  });

  it('names the sender and the users a copy shows, each once, and no one it hides', () => {
    const names = new Map([
      [A, { fullName: 'Ann Sender', email: 'ann@example.com' }],
      [B, { fullName: 'Bo', email: 'bo@example.com' }],
      [C, { fullName: '', email: 'cy@example.com' }],
      [D, { fullName: 'Di Hidden', email: 'di@example.com' }],
    ]);
    expect(correspondents(A, addressing, names)).toEqual([
      'Ann Sender',
      'ann@example.com',
      'Bo',
      'bo@example.com',
      'cy@example.com',
      'Di Hidden',
      'di@example.com',
    ]);
    const ccRecipientsCopy = { ...addressing, bcc: visibleBcc(addressing, A, C) };
    expect(correspondents(A, ccRecipientsCopy, names)).not.toContain('Di Hidden');
    expect(correspondents(A, { to: [], cc: [], bcc: [] }, new Map())).toEqual([]);
  });
});

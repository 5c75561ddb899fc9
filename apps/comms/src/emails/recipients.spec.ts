import {
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
});

import { decimalText } from './decimal';

describe('decimalText', () => {
  it('drops trailing fractional zeros but keeps integer zeros', () => {
    expect(decimalText('12.50')).toBe('12.5');
    expect(decimalText('3.00')).toBe('3');
    expect(decimalText('100')).toBe('100');
    expect(decimalText('0.25')).toBe('0.25');
    expect(decimalText(null)).toBe('');
  });
});

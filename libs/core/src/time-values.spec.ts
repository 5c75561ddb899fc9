import {
  MAX_TIMESTAMP_SECONDS,
  MIN_TIMESTAMP_SECONDS,
  calendarDate,
  isCalendarDate,
  timestamp,
  timestampProblem,
} from './time-values';

describe('timestampProblem', () => {
  it('accepts the first and the last instant a Timestamp may hold', () => {
    expect(timestampProblem(BigInt(MIN_TIMESTAMP_SECONDS), 0)).toBeUndefined();
    expect(timestampProblem(BigInt(MAX_TIMESTAMP_SECONDS), 999_999_999)).toBeUndefined();
    expect(new Date(MIN_TIMESTAMP_SECONDS * 1000).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(new Date(MAX_TIMESTAMP_SECONDS * 1000).toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });

  it('refuses nanos outside 0..999999999 and seconds outside years 1..9999', () => {
    expect(timestampProblem(0n, 2_000_000_000)).toMatch(/nanos/);
    expect(timestampProblem(0n, 1_000_000_000)).toMatch(/nanos/);
    expect(timestampProblem(0n, -1)).toMatch(/nanos/);
    expect(timestampProblem(BigInt(MIN_TIMESTAMP_SECONDS) - 1n, 0)).toMatch(/0001-01-01/);
    expect(timestampProblem(BigInt(MAX_TIMESTAMP_SECONDS) + 1n, 0)).toMatch(/9999-12-31/);
    expect(timestampProblem(-(2n ** 63n), 0)).toBeDefined();
  });
});

describe('timestamp', () => {
  it('accepts decoded dates in years 1 to 9999 only', () => {
    expect(timestamp.safeParse(new Date('0001-01-01T00:00:00Z')).success).toBe(true);
    expect(timestamp.safeParse(new Date('9999-12-31T23:59:59.999Z')).success).toBe(true);
    expect(timestamp.safeParse(new Date('0000-12-31T23:59:59.999Z')).success).toBe(false);
    expect(timestamp.safeParse(new Date('+010000-01-01T00:00:00.001Z')).success).toBe(false);
    expect(timestamp.safeParse(new Date('+010000-01-01T00:00:01Z')).success).toBe(false);
    expect(timestamp.safeParse(new Date(8.64e15)).success).toBe(false);
    expect(timestamp.safeParse(new Date(Number.NaN)).success).toBe(false);
  });

  it('reads the last valid instant, rounded up to year 10000 by decoding, as the last millisecond of 9999', () => {
    // What fromTimestamp makes of seconds 253402300799 and nanos 999999999.
    const decoded = new Date(MAX_TIMESTAMP_SECONDS * 1000 + 999_999_999 / 1_000_000);
    expect(decoded.toISOString()).toBe('+010000-01-01T00:00:00.000Z');
    expect(timestamp.parse(decoded).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('calendarDate', () => {
  it('accepts real dates in years 0001 to 9999', () => {
    for (const date of ['0001-01-01', '9999-12-31', '2024-02-29', '2000-02-29'])
      expect(calendarDate.safeParse(date).success).toBe(true);
  });

  it('refuses year 0, impossible days and any other form', () => {
    for (const date of [
      '0000-01-01',
      '2023-02-29',
      '1900-02-29',
      '2024-13-01',
      '2024-04-31',
      '2024-01-00',
      '2024-1-01',
      ' 2024-01-01',
      '2024-01-01T00:00:00Z',
      '+12024-01-01',
      '',
    ])
      expect([date, calendarDate.safeParse(date).success]).toEqual([date, false]);
    expect(isCalendarDate('10000-01-01')).toBe(false);
  });
});

import { Writable } from 'node:stream';
import { createLogger } from './logger';

describe('createLogger', () => {
  it('redacts passwords and tokens wherever they appear in a log line', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ service: 'test', level: 'info' }, sink);
    logger.info(
      { password: 'hunter2hunter2', request: { newPassword: 'x', accessToken: 'tok' } },
      'signed in',
    );
    expect(lines.join('')).not.toMatch(/hunter2|"tok"|"x"/);
    expect(JSON.parse(lines[0])).toMatchObject({
      password: '[redacted]',
      service: 'test',
      msg: 'signed in',
    });
  });
});

import { Writable } from 'node:stream';
import { logSink } from '../../src/common/logging/logger.module.js';

/**
 * Sends the logs of the next app created (createTestApp) into `lines`, one entry per write, so a
 * test can prove what was and was not logged. Call before creating the app; `stopCapturingLogs`
 * after closing it.
 */
export function captureLogs(lines: string[]): void {
  logSink.stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
}

export function stopCapturingLogs(): void {
  logSink.stream = undefined;
}

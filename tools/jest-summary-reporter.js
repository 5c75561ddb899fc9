// Appends each Jest run's totals to $NEXUS_TEST_SUMMARY (one JSON line per
// project), so `npm test` can print one closing "N passed, N failed" line for
// the whole workspace. Does nothing when the variable is unset.
const { appendFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.NEXUS_TEST_SUMMARY;
    if (!file) return;
    const line = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

module.exports = SummaryReporter;

// Writes jest's aggregated result to $JEST_JSON_OUTPUT when set, so .ci/run can print
// "N passed, N failed" from jest's own count. Does nothing otherwise.
const fs = require('node:fs');

class JestSummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_JSON_OUTPUT;
    if (!file) return;
    const { numPassedTests, numFailedTests, numRuntimeErrorTestSuites, numTotalTests } = results;
    fs.writeFileSync(file, JSON.stringify({ numPassedTests, numFailedTests, numRuntimeErrorTestSuites, numTotalTests }));
  }
}

module.exports = JestSummaryReporter;

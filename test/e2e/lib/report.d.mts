/** Types of report.mjs for the unit test that checks it. */
export function skippedTests(reportText: string): { suite: string; test: string }[];

// Repeats each failure's first lines after the run, so the end of a long CI log says what broke.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

const ANSI = /\u001b\[[0-9;]*m/g;

export default class FailuresInShort implements Reporter {
  private failures: string[] = [];

  onTestEnd(test: TestCase, result: TestResult) {
    if (result.status === test.expectedStatus) return;
    const lines = result.errors
      .flatMap((e) => (e.message ?? e.value ?? '').replace(ANSI, '').split('\n'))
      .filter((l) => l.trim() !== '')
      .slice(0, 12);
    this.failures.push([`✘ ${test.titlePath().filter(Boolean).join(' › ')}`, ...lines.map((l) => `    ${l}`)].join('\n'));
  }

  onEnd() {
    if (this.failures.length) console.log(`\nFailures in short:\n${this.failures.join('\n')}`);
  }

  printsToStdio() {
    return true;
  }
}

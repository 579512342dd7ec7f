/**
 * Words for a dataset health report (the engine's checkDataset): a one-line summary for the
 * notification and the detail lines for the log. No `vscode` import.
 */
import type { DatasetCheckResult } from '../../engine/worker/protocol';

/** Each finding category: its key, and its words for one finding and for several. */
const CATEGORIES: [keyof DatasetCheckResult, string, string][] = [
  ['unreadable', 'unreadable file', 'unreadable files'],
  ['sizeMismatch', 'image/mask size mismatch', 'image/mask size mismatches'],
  ['emptyMasks', 'lesion image with an empty mask', 'lesion images with an empty mask'],
  ['masksOnNormal', 'normal image with a non-empty mask', 'normal images with a non-empty mask'],
  ['nonBinaryMasks', 'non-binary mask', 'non-binary masks'],
  ['imagesWithoutMasks', 'image without a mask', 'images without a mask'],
  ['masksWithoutImages', 'mask without an image', 'masks without an image'],
  ['unlabelled', 'unlabelled image or unusable row', 'unlabelled images or unusable rows'],
  ['duplicates', 'duplicate group', 'duplicate groups'],
  ['conflictingDuplicates', 'duplicate group with conflicting labels', 'duplicate groups with conflicting labels'],
];

export interface HealthReportText {
  ok: boolean;
  summary: string;
  details: string[];
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function findingLine(finding: unknown): string {
  if (finding && typeof finding === 'object') {
    const f = finding as { file?: unknown; reason?: unknown; files?: unknown; ids?: unknown; labels?: unknown };
    if (typeof f.file === 'string') return `${f.file}${typeof f.reason === 'string' ? `: ${f.reason}` : ''}`;
    if (Array.isArray(f.files)) return `${f.files.join(', ')}${Array.isArray(f.labels) ? ` (${f.labels.join(', ')})` : ''}`;
  }
  return JSON.stringify(finding);
}

export function describeHealthReport(report: DatasetCheckResult, maxPerCategory = 20): HealthReportText {
  const counts = report.counts ?? { benign: 0, malignant: 0, normal: 0 };
  const found = CATEGORIES.map(([key, one, many]) => ({ one, label: many, findings: list(report[key]) })).filter((c) => c.findings.length > 0);
  const problems = typeof report.problems === 'number' ? report.problems : found.reduce((n, c) => n + c.findings.length, 0);
  const head = `${report.name ?? report.spec}: ${report.items} images (${counts.benign} benign, ${counts.malignant} malignant, ${counts.normal} normal)`;
  const summary =
    problems === 0
      ? `${head}, no problems found.`
      : `${head}, ${problems} problem${problems === 1 ? '' : 's'}: ${found.map((c) => `${c.findings.length} ${c.findings.length === 1 ? c.one : c.label}`).join(', ')}.`;
  const details = [`Dataset check ${report.spec} (${report.path ?? ''})`, summary];
  for (const c of found) {
    details.push(`  ${c.label} (${c.findings.length}):`);
    for (const f of c.findings.slice(0, maxPerCategory)) details.push(`    ${findingLine(f)}`);
    if (c.findings.length > maxPerCategory) details.push(`    … ${c.findings.length - maxPerCategory} more`);
  }
  return { ok: problems === 0, summary, details };
}

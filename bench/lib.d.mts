/** Types of lib.mjs for the unit test that checks it (test/unit/bench-scripts.test.ts). */
export function option(argv: string[], name: string, fallback?: string): string | undefined;
export function integerList(text: string, name: string): number[];
export function withoutOptions(argv: string[], names: string[]): string[];
export function median(values: (number | null | undefined)[]): number | null;
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null;
export function fixed(x: number | null | undefined, digits?: number): string;
export function percent(fraction: number | null | undefined, digits?: number): string;
export function markdownTable(headers: string[], rows: (string | number)[][]): string;
export function lastJsonLine(stdout: string): unknown;
export function rotation<T>(cases: T[], round: number): T[];
export function dateStem(date: Date): string;
export function writeJsonAtomic(file: string, value: unknown): void;

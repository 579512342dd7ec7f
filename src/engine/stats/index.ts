/** Statistics used by evaluation and run comparison; see docs/STATISTICS.md. */
export * from './auc';
export * from './bootstrap';
export * from './classification';
export * from './descriptive';
export * from './effectSize';
export * from './holm';
export * from './normal';
export * from './random';
export * from './ranks';
export * from './summary';
export * from './wilcoxon';

/**
 * File-system-safe, unique PNG base names for image ids. Ids such as BUSI's "benign (12)" carry
 * spaces and parentheses; the name keeps what is safe on every OS and per_image.csv records the
 * mapping in its `file` column. Uniqueness is checked case-insensitively (macOS and Windows).
 */
export class SafeFileNames {
  private readonly taken = new Set<string>();

  /** A new unique name (without extension) for `id`. */
  nameFor(id: string): string {
    const base =
      id
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .replace(/_+/g, '_')
        .replace(/^[_.]+|[_.]+$/g, '')
        .slice(0, 100) || 'image';
    let name = base;
    for (let k = 2; this.taken.has(name.toLowerCase()); k++) name = `${base}-${k}`;
    this.taken.add(name.toLowerCase());
    return name;
  }
}

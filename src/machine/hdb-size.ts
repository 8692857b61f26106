// The file-system disk's sizes, apart from the store so the page can offer them without
// loading it.

/** The file-system disk (hdb): the sizes offered when it is made, and the default. */
export const HDB_SIZES_MIB = [4, 8, 16, 32, 64] as const;
export const DEFAULT_HDB_BYTES = 16 << 20;
export const MIN_HDB_BYTES = 1 << 20;
/** The disk is held whole in the machine worker's memory (and in a saved state): bounded. */
export const MAX_HDB_BYTES = 64 << 20;

/** Why `size` cannot be a file-system disk, or null when it can. */
export function hdbSizeProblem(size: number): string | null {
  if (!Number.isSafeInteger(size) || size < MIN_HDB_BYTES || size > MAX_HDB_BYTES) {
    return `a file-system disk must hold ${MIN_HDB_BYTES >> 20} to ${MAX_HDB_BYTES >> 20} MiB, not ${size} bytes`;
  }
  if (size % 512 !== 0) return `a file-system disk is whole 512-byte sectors; ${size} bytes is not`;
  return null;
}

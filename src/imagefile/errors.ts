// Errors of the image file: each names where in the file it was found and why, so a user
// can tell a truncated download from a hand-edited record from a file of a newer version.

export interface ImageFileErrorWhere {
  /** 1-based line number of the uncompressed NDJSON, when the problem is on one line. */
  line?: number;
  /** The record type on that line, when it could be read. */
  record?: string;
}

export class ImageFileError extends Error {
  override readonly name = 'ImageFileError';
  readonly line: number | undefined;
  readonly record: string | undefined;
  /** The reason alone, without the location. */
  readonly reason: string;

  constructor(reason: string, where: ImageFileErrorWhere = {}) {
    const at =
      where.line !== undefined
        ? `line ${where.line}${where.record ? ` (${where.record} record)` : ''}: `
        : where.record
          ? `${where.record} record: `
          : '';
    super(`${at}${reason}`);
    this.line = where.line;
    this.record = where.record;
    this.reason = reason;
  }
}

/** The target store refused or failed while an image was imported; the partial image was deleted. */
export class ImageImportError extends Error {
  override readonly name = 'ImageImportError';
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

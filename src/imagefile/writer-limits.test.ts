// The writer keeps within every limit of the reader: for each limit, a file the reader
// refuses under it is one the writer refuses to write under it, with an error naming it.
import { describe, expect, it } from 'vitest';
import { exportImage, readImageFile, type ImageReadLimits } from './index';
import { bytesOf, sampleImage, streamOf } from './test-fixtures';

const createdAt = new Date('2026-01-01T00:00:00Z');

const cases: [string, Partial<ImageReadLimits>, RegExp][] = [
  ['line length', { maxLineBytes: 200 }, /line is longer than the reader's limit of 200 bytes/],
  ['total size', { maxTotalBytes: 1000 }, /longer than the reader's limit of 1000 bytes/],
  ['record count', { maxRecords: 3 }, /more than the reader's limit of 3 records/],
  ['nesting depth', { maxDepth: 3 }, /nested deeper than 3 levels/],
  ['expansion ratio', { expansionGraceBytes: 0, maxExpansion: 1 }, /expand more than the reader's limit of 1 times/],
];

describe('the writer enforces the reader limits', () => {
  it('writes the sample within the default limits', async () => {
    const bytes = await bytesOf(await exportImage(sampleImage(), { includeHistory: true, createdAt }));
    expect((await readImageFile(streamOf(bytes))).counts.obj).toBe(4);
  });

  for (const [name, limits, message] of cases) {
    it(`refuses to write past the reader's ${name}`, async () => {
      const bytes = await bytesOf(await exportImage(sampleImage(), { includeHistory: true, createdAt }));
      // The reader refuses this file under the limit...
      await expect(readImageFile(streamOf(bytes), {}, { limits })).rejects.toThrow();
      // ...so the writer must not produce it.
      await expect(bytesOf(await exportImage(sampleImage(), { includeHistory: true, createdAt, limits }))).rejects.toThrow(message);
    });
  }
});

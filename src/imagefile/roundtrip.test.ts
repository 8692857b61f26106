import { describe, expect, it } from 'vitest';
import { exportImage, importImage, MemoryImageShelf, readImageFile } from './index';
import { bytesOf, gunzipText, sampleImage, streamOf } from './test-fixtures';

const at = new Date('2026-01-01T00:00:00Z');

describe('image file round trip', () => {
  it('exports an image and imports it as a new image with the same objects, blobs and history', async () => {
    const source = sampleImage();
    const gz = await bytesOf(await exportImage(source, { includeHistory: true, createdAt: at }));
    const shelf = new MemoryImageShelf();
    const result = await importImage(streamOf(gz, 7), shelf.createTarget, { name: 'copy' });
    expect(result.name).toBe('copy');
    expect(result.summary.counts).toEqual({ obj: 4, blob: 2, tx: 2, disk: 0, vm: 0 });
    const copy = shelf.images.get('copy')!;
    expect(copy.get(2)).toEqual(source.get(2));
    expect(copy.history).toEqual(source.history);
    expect(await copy.blobs_.get('b-1')!.data.text()).toBe('hello');
    expect(copy.nextOid).toBe(4);
    expect(copy.lastTid).toBe(2);
  });

  it('exports, imports and exports again to the same bytes apart from creation time', async () => {
    const gz = await bytesOf(await exportImage(sampleImage(), { includeHistory: true, createdAt: at }));
    const shelf = new MemoryImageShelf();
    await importImage(streamOf(gz), shelf.createTarget);
    const second = gunzipText(await bytesOf(await exportImage(shelf.images.get('sample')!, { includeHistory: true, createdAt: new Date() })));
    const first = gunzipText(gz);
    const strip = (s: string) => s.replace(/"createdAt":"[^"]*"/, '').replace(/"sha256":"[0-9a-f]+"/, '');
    expect(strip(second)).toBe(strip(first));
  });

  it('reads its own file in one-byte chunks', async () => {
    const gz = await bytesOf(await exportImage(sampleImage(), { createdAt: at }));
    const summary = await readImageFile(streamOf(gz, 1));
    expect(summary.records).toBe(6);
  });
});

describe('reading just the header', () => {
  it('answers the header of a file without reading the rest', async () => {
    const { readImageHeader } = await import('./index');
    const gz = await bytesOf(await exportImage(sampleImage(), { createdAt: at }));
    const h = await readImageHeader(streamOf(gz, 16));
    expect(h).toMatchObject({ format: 'telos-image', version: 1, name: 'sample', root: 0, counts: { obj: 4, blob: 2 } });
  });

  it('names a download after the image, without characters file systems refuse', async () => {
    const { imageFileName } = await import('./index');
    expect(imageFileName('My World')).toBe('My World.telos');
    expect(imageFileName('a/b:c*?')).toBe('a_b_c_.telos');
    expect(imageFileName('...')).toBe('image.telos');
  });
});

describe('cancelling', () => {
  it('stops a read that waits on a stalled input when the signal aborts', async () => {
    const { readImageFile, ImageFileError } = await import('./index');
    const gz = await bytesOf(await exportImage(sampleImage(), { createdAt: at }));
    let sent = false;
    const stalled = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) c.enqueue(gz.subarray(0, 40));
        sent = true;
        return new Promise(() => {}); // never delivers more
      },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const e = await readImageFile(stalled, {}, { signal: controller.signal }).catch((x) => x);
    expect(e).toBeInstanceOf(ImageFileError);
    expect(e.message).toBe('reading was cancelled');
  });
});

// Names for new images: a free name suggested for an imported file, and what is wrong with a
// name a person typed, in words (checked before anything is written; the store checks again).

/** The registry's limit on an image name (src/store/registry.ts). */
export const MAX_IMAGE_NAME = 200;

/** The name a file suggests: its file name without `.telos` ("imported" if nothing is left). */
export function nameFromFile(fileName: string): string {
  return fileName.replace(/\.telos$/i, '').trim() || 'imported';
}

/**
 * `base` if no image has that name, otherwise the first free `base-2`, `base-3`, ... A base
 * that already ends in a number counts on from it ("default-2" taken: "default-3").
 */
export function uniqueImageName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  const wanted = base.trim().slice(0, MAX_IMAGE_NAME) || 'imported';
  if (!names.has(wanted)) return wanted;
  const numbered = /^(.*\S)-(\d+)$/.exec(wanted);
  const stem = numbered ? numbered[1]! : wanted;
  for (let n = numbered ? Number(numbered[2]) + 1 : 2; ; n++) {
    const suffix = `-${n}`;
    const name = stem.slice(0, MAX_IMAGE_NAME - suffix.length) + suffix;
    if (!names.has(name)) return name;
  }
}

/** Why `name` cannot name a new image, or null when it can (compared as the store will, trimmed). */
export function imageNameProblem(name: string, taken: Iterable<string>): string | null {
  const t = name.trim();
  if (t === '') return 'An image needs a name.';
  if (t.length > MAX_IMAGE_NAME) return `An image name may have at most ${MAX_IMAGE_NAME} characters (this one has ${t.length}).`;
  for (const n of taken) if (n === t) return `There is already an image named “${t}”. Choose another name.`;
  return null;
}

import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_NAME, imageNameProblem, nameFromFile, uniqueImageName } from './image-names';

describe('names for new images', () => {
  it('a file suggests its name without .telos', () => {
    expect(nameFromFile('default.telos')).toBe('default');
    expect(nameFromFile('Teaching.TELOS')).toBe('Teaching');
    expect(nameFromFile('.telos')).toBe('imported');
  });

  it('a free name is kept as it is', () => {
    expect(uniqueImageName('scratch', ['default'])).toBe('scratch');
  });

  it('a taken name gets the first free number from 2', () => {
    expect(uniqueImageName('default', ['default'])).toBe('default-2');
    expect(uniqueImageName('default', ['default', 'default-2', 'default-3'])).toBe('default-4');
    expect(uniqueImageName('default', ['default', 'default-3'])).toBe('default-2');
  });

  it('a taken name that ends in a number counts on from it', () => {
    expect(uniqueImageName('default-2', ['default', 'default-2'])).toBe('default-3');
    expect(uniqueImageName('v-9', ['v-9', 'v-10'])).toBe('v-11');
  });

  it('names are compared exactly, as the store does', () => {
    expect(uniqueImageName('Default', ['default'])).toBe('Default');
  });

  it('a suggestion never passes the length limit', () => {
    const long = 'x'.repeat(MAX_IMAGE_NAME);
    const s = uniqueImageName(long, [long]);
    expect(s).toHaveLength(MAX_IMAGE_NAME);
    expect(s.endsWith('-2')).toBe(true);
  });

  it('says what is wrong with a name, in words', () => {
    expect(imageNameProblem('  ', [])).toBe('An image needs a name.');
    expect(imageNameProblem('default', ['default'])).toBe('There is already an image named “default”. Choose another name.');
    expect(imageNameProblem(' default ', ['default'])).toMatch(/already an image named “default”/);
    expect(imageNameProblem('y'.repeat(MAX_IMAGE_NAME + 1), [])).toMatch(/at most 200 characters/);
    expect(imageNameProblem('default-2', ['default'])).toBeNull();
  });
});

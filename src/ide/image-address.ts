// The open image in the page's address (`?image=NAME`), so a reload opens the image that was
// open and two tabs can hold two images. The World worker reads the parameter when it starts
// (src/workers/world/client.ts); the IDE writes it whenever another image is opened or the
// open one renamed. "default", what an address without the parameter opens, needs none.

/** The image the address asks for ("default" when it names none). */
export function imageInAddress(): string {
  return new URLSearchParams(location.search).get('image') || 'default';
}

/** Makes the address name `image`, replacing the entry (a switch of image is not a page to go
 * back to: Back would show the new image under the old name). Other parameters and the hash stay. */
export function showImageInAddress(image: string): void {
  if (imageInAddress() === image) return;
  const url = new URL(location.href);
  url.searchParams.set('image', image);
  history.replaceState(history.state, '', url);
}

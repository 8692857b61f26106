// The workers' services without a worker, for Node (unit tests of the page's side, tools):
// serve a World session over any MessagePort, open one in memory or on an image.
export { serveWorld, WorldService, worldErrorData, type ServiceOptions } from './world/service';
export { ImageCatalog, genesisSeed, openImageSession, openMemorySession, sessionOnImage, type SessionOptions, type WorldSession } from './world/session';

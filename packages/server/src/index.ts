/** The HTTP API server, as layers for the production entry point and the embedded default. */
export * from "./accounts/Accounts.js"
export * as HttpServer from "./http/HttpServer.js"
export * as ServerConfig from "./ServerConfig.js"
export * from "./sourcefiles/SourceFileInspector.js"
export { MediaUrls } from "./catalogue/MediaUrls.js"
export { parseAddressRanges } from "./access/ClientAddress.js"

// The types the verifier's API speaks in live in lower modules that are not products of their
// own: the licence model (DL1Format: Licence, DL1Claims, CalendarDate, CredentialStatus ...),
// certificates and SHA-256 (DL1Crypto: Certificate, RevocationReason, SHA256) and images
// (DL1Raster: GreyImage, ImageError). Re-exporting them lets an app that imports DL1Verifier
// name them, catch ImageError and hash a portrait without a second dependency.
@_exported import DL1Crypto
@_exported import DL1Format
@_exported import DL1Raster

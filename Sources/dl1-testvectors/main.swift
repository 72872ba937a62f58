// Generates the published test vectors in testvectors/ from the TEST-ONLY keys in keys/
// (creating the keys first when keys/ is empty). Run from the repository root:
//     swift run dl1-testvectors
// ECDSA signatures are randomized, so a new run gives new bytes with the same verdicts.
import DL1Compression
import DL1Crypto
import DL1Format
import DL1QREncode
import DL1Issuer
import DL1Raster
import DL1TestSupport
import DL1Verifier
import Foundation

let fm = FileManager.default
let repo = URL(fileURLWithPath: fm.currentDirectoryPath)
let keys = repo.appendingPathComponent("keys")
let out = repo.appendingPathComponent("testvectors")

func day(_ iso: String) -> Int64 { CalendarDate(iso8601: iso)!.startOfDayUTC }
let at = day("2026-06-01") + 12 * 3600          // verification time of every vector
let signedAt = day("2026-06-01") + 8 * 3600     // when the codes were signed

func write(_ bytes: [UInt8], _ url: URL, secret: Bool = false) throws {
    try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
    if secret { try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path) }
}

/// Loads `name` from keys/, or makes it with `make` and saves it.
func keyPair(_ name: String, _ make: () throws -> TestPKI.KeyPair) throws -> TestPKI.KeyPair {
    let keyURL = keys.appendingPathComponent("\(name).key.pem"), certURL = keys.appendingPathComponent("\(name).pem")
    if let keyData = fm.contents(atPath: keyURL.path), let certData = fm.contents(atPath: certURL.path) {
        return TestPKI.KeyPair(key: try P256PrivateKey(pem: [UInt8](keyData)),
                               certificate: try Certificate.parseAll(pem: [UInt8](certData))[0])
    }
    let pair = try make()
    try write(try pair.key.pkcs8PEM(), keyURL, secret: true)
    try write(try pair.certificate.pem(), certURL)
    return pair
}

let rootFrom = day("2026-01-01"), rootUntil = day("2041-01-01")
let dsFrom = day("2026-01-01"), dsUntil = day("2027-01-01")
func makeRoot(_ cn: String, country: String = "CN") throws -> TestPKI.KeyPair {
    let key = try P256PrivateKey()
    return .init(key: key, certificate: try CertificateBuilder.makeRoot(
        key: key, subject: .init(country: country, organization: "DL1 TEST ONLY", commonName: cn), notBefore: rootFrom, notAfter: rootUntil))
}

let root = try keyPair("test-root") { try makeRoot("DL1 Test Root CN-31 (TEST ONLY)") }
let ds = try keyPair("test-ds") { try TestPKI.issueSigner(root: root, country: "CN", ou: "CN-31", from: dsFrom, until: dsUntil) }
let dsExpired = try keyPair("test-ds-expired") {
    try TestPKI.issueSigner(root: root, country: "CN", ou: "CN-31", from: day("2026-01-01"), until: day("2026-03-01"), commonName: "Expired DS")
}
let dsCA = try keyPair("test-ds-ca") {
    try TestPKI.issueSigner(root: root, country: "CN", ou: "CN-31", from: dsFrom, until: dsUntil,
                            extensions: [(ExtensionNID.basicConstraints, "critical,CA:TRUE"), (ExtensionNID.keyUsage, "critical,digitalSignature,keyCertSign")],
                            commonName: "CA used as DS")
}
let dsDE = try keyPair("test-ds-de") { try TestPKI.issueSigner(root: root, country: "DE", ou: "CN-31", from: dsFrom, until: dsUntil, commonName: "DS with C=DE") }
let dsCN11 = try keyPair("test-ds-cn11") { try TestPKI.issueSigner(root: root, country: "CN", ou: "CN-11", from: dsFrom, until: dsUntil, commonName: "DS of CN-11") }
let dsWithdrawn = try keyPair("test-ds-withdrawn") { try TestPKI.issueSigner(root: root, country: "CN", ou: "CN-31", from: dsFrom, until: dsUntil, commonName: "Withdrawn DS") }
let foreignRoot = try keyPair("test-foreign-root") { try makeRoot("Untrusted Root (TEST ONLY)") }
let foreignDS = try keyPair("test-foreign-ds") { try TestPKI.issueSigner(root: foreignRoot, country: "CN", ou: "CN-31", from: dsFrom, until: dsUntil) }
let stranger = try keyPair("test-stranger-ds") { try TestPKI.issueSigner(root: foreignRoot, country: "CN", ou: "CN-31", from: dsFrom, until: dsUntil, commonName: "Unknown DS") }

let crl = try CertificateRevocationList.make(root: root.certificate, rootKey: root.key, number: 1,
                                             entries: [(dsWithdrawn.certificate, day("2026-05-01"), .keyCompromise)],
                                             thisUpdate: day("2026-05-01"), nextUpdate: day("2026-08-01"))

// The trust folder: the trusted root, every DS (good and bad), the foreign DS without its root, the CRL.
let trustCertificates = [root, ds, dsExpired, dsCA, dsDE, dsCN11, dsWithdrawn, foreignDS].map(\.certificate)
try? fm.removeItem(at: out.appendingPathComponent("trust"))
for (i, certificate) in trustCertificates.enumerated() {
    let name = i == 0 ? "root.pem" : "ds-\(Hex.encode(certificate.kid)).pem"
    try write(try certificate.pem(), out.appendingPathComponent("trust/\(name)"))
}
try write(try crl.pem(), out.appendingPathComponent("trust/root.crl.pem"))

let factory = CodeFactory(now: signedAt)
let uri = "https://dl.example/CN-31/status/1"
let statusTokens: [String: [UInt8]] = [
    "current": try factory.statusToken(signer: ds, uri: uri, entries: [101: .invalid, 102: .suspended, 103: .superseded],
                                       capacity: 1024, iat: day("2026-06-01") + 6 * 3600, exp: day("2026-06-03") + 6 * 3600),
    "stale": try factory.statusToken(signer: ds, uri: uri, capacity: 1024, iat: day("2026-05-20"), exp: day("2026-05-22")),
]
try? fm.removeItem(at: out.appendingPathComponent("status"))
for (name, token) in statusTokens { try write(token, out.appendingPathComponent("status/\(name).cwt")) }
let portrait = Array("DL1 test portrait (stands for the holder's photo file)\n".utf8)
try write(portrait, out.appendingPathComponent("portrait.txt"))

struct Expected { var verdict: Verdict; var layer: DecodeLayer? = nil; var condition: TrustCondition? = nil }
struct Vector {
    var name: String
    var description: String
    var code: String
    var status: [String] = ["current"]
    var allowUnknown = false
    var category: String?
    var portraitHash: [UInt8]?
    /// DL2 settings: nil means the defaults (90 s, binding not required) and is left out of the JSON.
    var holderWindow: Int64?
    var requireHolderBinding = false
    var expected: Expected
}

func claims(index: UInt64 = 7, iss: String = "CN-31", iat: Int64 = signedAt, exp: Int64? = nil, licence: Licence? = nil) -> DL1Claims {
    factory.claims(licence: licence ?? factory.licence(portrait: portrait), iss: iss, iat: iat, exp: exp, index: index, uri: uri)
}
func code(_ c: DL1Claims = claims(), signer: TestPKI.KeyPair = ds, _ tweak: (inout CodeFactory.Knobs) -> Void = { _ in }) throws -> String {
    var knobs = CodeFactory.Knobs()
    tweak(&knobs)
    return try factory.text(c, signer: signer, knobs: knobs)
}

let good = try code()
var vectors: [Vector] = [
    Vector(name: "valid", description: "A phone code: two categories, a CJK name, status VALID.", code: good, expected: .init(verdict: .valid)),
    Vector(name: "valid-printed-card", description: "A printed card: exp is 00:00 UTC after the licence's expiry date.",
           code: try code(claims(exp: day("2032-05-02"))), expected: .init(verdict: .valid)),
    Vector(name: "valid-category-c1", description: "The officer asks for category C1, which is held.", code: good, category: "C1", expected: .init(verdict: .valid)),
    Vector(name: "valid-portrait", description: "The officer checks the portrait file portrait.txt.", code: good, portraitHash: SHA256.hash(portrait), expected: .init(verdict: .valid)),
    Vector(name: "valid-untagged", description: "COSE_Sign1 without tag 18 is accepted.", code: try code { $0.tag = nil }, expected: .init(verdict: .valid)),
    Vector(name: "malformed-prefix", description: "Another format's prefix.", code: "HC1:" + good.dropFirst(4), expected: .init(verdict: .malformed, layer: .prefix)),
    Vector(name: "malformed-base45-lowercase", description: "Lower-case letters are not Base45.", code: "DL1:" + good.dropFirst(4).lowercased(), expected: .init(verdict: .malformed, layer: .base45)),
    Vector(name: "malformed-base45-group", description: "A triplet above 65535.", code: "DL1:GGW", expected: .init(verdict: .malformed, layer: .base45)),
    Vector(name: "malformed-zlib-trailing", description: "A byte after the zlib stream.", code: try code { $0.alterZlib = { $0 + [0] } }, expected: .init(verdict: .malformed, layer: .zlib)),
    Vector(name: "malformed-zlib-over-cap", description: "Inflates to 65,537 bytes, one more than the cap.",
           code: "DL1:" + Base45.encode(Zlib.compress([UInt8](repeating: 0x41, count: 65_537))), expected: .init(verdict: .malformed, layer: .zlib)),
    Vector(name: "malformed-cose-cwt-tag", description: "Tagged 61 (CWT) instead of 18.", code: try code { $0.tag = 61 }, expected: .init(verdict: .malformed, layer: .cose)),
    Vector(name: "malformed-cose-signature-length", description: "A 63-byte signature.", code: try code { $0.alterSignature = { Array($0.prefix(63)) } },
           expected: .init(verdict: .malformed, layer: .cose)),
    Vector(name: "malformed-claims-no-exp", description: "Claim 4 (exp) missing.",
           code: try code { $0.payload = CBOREncoder.encode(.map(claims().cbor.mapEntries!.filter { $0.key != .int(4) })) },
           expected: .init(verdict: .malformed, layer: .claims)),
    Vector(name: "malformed-header-alg-unprotected", description: "alg in the unprotected header.",
           code: try code { $0.protectedHeader = [.init(4, .bytes(ds.kid))]; $0.unprotectedHeader = [.init(1, -7)] },
           expected: .init(verdict: .malformed, layer: .header)),
    Vector(name: "malformed-header-es384", description: "alg ES384 (-35).",
           code: try code { $0.protectedHeader = [.init(1, -35), .init(4, .bytes(ds.kid))] }, expected: .init(verdict: .malformed, layer: .header)),
    Vector(name: "malformed-header-extra-label", description: "An extra protected label (content type 3).",
           code: try code { $0.protectedHeader = [.init(1, -7), .init(4, .bytes(ds.kid)), .init(3, 0)] }, expected: .init(verdict: .malformed, layer: .header)),
    Vector(name: "unknown-signer", description: "Signed by a DS whose certificate is not in the trust folder.", code: try code(signer: stranger),
           expected: .init(verdict: .unknownSigner)),
    Vector(name: "bad-signature", description: "One signature bit flipped.", code: try code { $0.alterSignature = { var s = $0; s[5] ^= 1; return s } },
           expected: .init(verdict: .badSignature)),
    Vector(name: "untrusted-chain", description: "The DS chains to a root that is not trusted.", code: try code(signer: foreignDS),
           expected: .init(verdict: .untrustedSigner, condition: .chain)),
    Vector(name: "untrusted-ds", description: "Signed by a certificate with CA:TRUE.", code: try code(signer: dsCA), expected: .init(verdict: .untrustedSigner, condition: .ds)),
    Vector(name: "untrusted-validity", description: "Signed after the DS certificate expired (2026-03-01).", code: try code(signer: dsExpired),
           expected: .init(verdict: .untrustedSigner, condition: .validity)),
    Vector(name: "valid-signed-before-ds-expiry", description: "A printed card signed while its DS was valid stays valid after the DS expires.",
           code: try code(claims(iat: day("2026-02-01"), exp: day("2032-05-02")), signer: dsExpired), expected: .init(verdict: .valid)),
    Vector(name: "untrusted-withdrawn", description: "The DS is on the root's CRL (keyCompromise, 2026-05-01).", code: try code(signer: dsWithdrawn),
           expected: .init(verdict: .untrustedSigner, condition: .withdrawn)),
    Vector(name: "untrusted-country", description: "The DS has C=DE, the licence says CN.", code: try code(signer: dsDE),
           expected: .init(verdict: .untrustedSigner, condition: .country)),
    Vector(name: "untrusted-authority", description: "The DS has OU=CN-11, the code's iss is CN-31.", code: try code(signer: dsCN11),
           expected: .init(verdict: .untrustedSigner, condition: .authority)),
    Vector(name: "not-yet-valid", description: "iat ten minutes after the verification time.", code: try code(claims(iat: at + 600)),
           expected: .init(verdict: .notYetValid)),
    Vector(name: "expired-code", description: "exp an hour before the verification time.", code: try code(claims(iat: at - 7200, exp: at - 3600)),
           expected: .init(verdict: .expiredCode)),
    Vector(name: "licence-expired", description: "The licence's last valid day was 2026-05-31.",
           code: try code(claims(licence: factory.licence(expiry: "2026-05-31", portrait: portrait))), expected: .init(verdict: .licenceExpired)),
    Vector(name: "revoked", description: "Status entry 101 is INVALID.", code: try code(claims(index: 101)), expected: .init(verdict: .revoked)),
    Vector(name: "suspended", description: "Status entry 102 is SUSPENDED.", code: try code(claims(index: 102)), expected: .init(verdict: .suspended)),
    Vector(name: "superseded", description: "Status entry 103 is SUPERSEDED.", code: try code(claims(index: 103)), expected: .init(verdict: .superseded)),
    Vector(name: "status-unknown-no-list", description: "No status list at all.", code: good, status: [], expected: .init(verdict: .statusUnknown)),
    Vector(name: "status-unknown-stale", description: "Only a list that went stale on 2026-05-22.", code: good, status: ["stale"], expected: .init(verdict: .statusUnknown)),
    Vector(name: "status-unknown-index", description: "Index 5000 is beyond the 1024-entry list.", code: try code(claims(index: 5000)), expected: .init(verdict: .statusUnknown)),
    Vector(name: "valid-unknown-status-allowed", description: "No list, but the caller allows unknown status.", code: good, status: [], allowUnknown: true,
           expected: .init(verdict: .valid)),
    Vector(name: "category-not-held", description: "The officer asks for B2, which is not held.", code: good, category: "B2", expected: .init(verdict: .categoryNotHeld)),
    Vector(name: "portrait-mismatch", description: "Another portrait's SHA-256.", code: good, portraitHash: SHA256.hash(Array("someone else".utf8)),
           expected: .init(verdict: .portraitMismatch)),
]

// DL2 (FORMAT §7): credentials bound to a device key, and presentations made by that device.
/// A device key from keys/ (made and saved when missing).
func deviceKey(_ name: String) throws -> P256PrivateKey {
    let url = keys.appendingPathComponent("\(name).key.pem")
    if let data = fm.contents(atPath: url.path) { return try P256PrivateKey(pem: [UInt8](data)) }
    let key = try P256PrivateKey()
    try write(try key.pkcs8PEM(), url, secret: true)
    return key
}
let device = try deviceKey("test-device"), otherDevice = try deviceKey("test-other-device")
let deviceKeyClaim = HolderKey(device.publicKey)!
func bound(_ c: DL1Claims = claims(), key: HolderKey = deviceKeyClaim, signer: TestPKI.KeyPair = ds,
           _ tweak: (inout CodeFactory.Knobs) -> Void = { _ in }) throws -> [UInt8] {
    var c = c
    c.holderKey = key
    var knobs = CodeFactory.Knobs()
    tweak(&knobs)
    return try factory.cose(c, signer: signer, knobs: knobs)
}
func present(_ credential: [UInt8], t: Int64 = at - 10, by key: P256PrivateKey = device, signedTime: Int64? = nil) throws -> String {
    try factory.presentation(credential: credential, time: UInt64(t), device: key, signedTime: signedTime.map(UInt64.init))
}
/// A cnf map with its COSE_Key entries replaced (to break its shape on purpose).
func cnfPayload(_ c: DL1Claims, key entries: [CBORMapEntry]) -> [UInt8] {
    CBOREncoder.encode(.map(c.cbor.mapEntries! + [.init(8, .map([.init(1, .map(entries))]))]))
}
// An x-coordinate with no point on P-256 (about half of all values have none).
var offCurve = [UInt8](repeating: 0, count: 32)
while (try? P256PublicKey(compressedPoint: [2] + offCurve)) != nil { offCurve[31] &+= 1 }
let boundGood = try bound()
let dl2Good = try present(boundGood)
let dl2Vectors: [Vector] = [
    Vector(name: "dl2-valid", description: "A DL2 presentation made 10 s before the verification time by the device the credential is bound to.",
           code: dl2Good, expected: .init(verdict: .valid)),
    Vector(name: "dl2-valid-window-past-edge", description: "Made exactly 90 s before: the edge of the default window, accepted.",
           code: try present(boundGood, t: at - 90), expected: .init(verdict: .valid)),
    Vector(name: "dl2-valid-window-future-edge", description: "Made 90 s after the verification time (a fast phone clock): accepted.",
           code: try present(boundGood, t: at + 90), expected: .init(verdict: .valid)),
    Vector(name: "dl2-stale-past", description: "Made 91 s before: one second outside the window (a screenshot).",
           code: try present(boundGood, t: at - 91), expected: .init(verdict: .stalePresentation)),
    Vector(name: "dl2-stale-future", description: "Made 91 s after: one second outside the window; the 300 s leeway does not widen it.",
           code: try present(boundGood, t: at + 91), expected: .init(verdict: .stalePresentation)),
    Vector(name: "dl2-stale-narrow-window", description: "Made 31 s before, with the verifier's window set to 30 s.",
           code: try present(boundGood, t: at - 31), holderWindow: 30, expected: .init(verdict: .stalePresentation)),
    Vector(name: "dl2-holder-mismatch", description: "Signed by another device's key than the one in cnf.",
           code: try present(boundGood, by: otherDevice), expected: .init(verdict: .holderMismatch)),
    Vector(name: "dl2-tampered-time", description: "t changed to 5 s later than the time the device signed.",
           code: try present(boundGood, t: at - 5, signedTime: at - 10), expected: .init(verdict: .holderMismatch)),
    Vector(name: "dl2-credential-as-dl1", description: "The bound credential copied out and shown as a DL1 code.",
           code: DecodedCode.text(coseBytes: boundGood), expected: .init(verdict: .unboundPresentation)),
    Vector(name: "dl1-binding-required", description: "A plain DL1 code where the verifier requires holder binding.",
           code: good, requireHolderBinding: true, expected: .init(verdict: .unboundPresentation)),
    Vector(name: "dl2-valid-binding-required", description: "A DL2 presentation where the verifier requires holder binding.",
           code: dl2Good, requireHolderBinding: true, expected: .init(verdict: .valid)),
    Vector(name: "dl2-forged-credential", description: "The credential's issuer signature has one bit flipped (the device signed it as it is).",
           code: try present(try bound { $0.alterSignature = { var s = $0; s[9] ^= 1; return s } }), expected: .init(verdict: .badSignature)),
    Vector(name: "dl2-revoked", description: "A valid presentation of a credential whose status entry 101 is INVALID.",
           code: try present(try bound(claims(index: 101))), expected: .init(verdict: .revoked)),
    Vector(name: "dl2-malformed-presentation-shape", description: "The presentation array has two items.",
           code: factory.presentation(item: .array([.bytes(boundGood), .unsigned(UInt64(at))])), expected: .init(verdict: .malformed, layer: .presentation)),
    Vector(name: "dl2-malformed-base45", description: "Lower-case letters after DL2: are not Base45.",
           code: "DL2:" + dl2Good.dropFirst(4).lowercased(), expected: .init(verdict: .malformed, layer: .base45)),
    Vector(name: "dl2-unbound-credential-inside", description: "A presentation carrying a plain DL1 credential (no typ dl1-bound).",
           code: try present(try factory.cose(claims(), signer: ds)), expected: .init(verdict: .malformed, layer: .header)),
    Vector(name: "dl2-cnf-not-on-curve", description: "cnf's x has no point on P-256.",
           code: try present(try bound { $0.payload = cnfPayload(claims(), key: [.init(1, 2), .init(-1, 1), .init(-2, .bytes(offCurve)), .init(-3, .bool(false))]) }),
           expected: .init(verdict: .malformed, layer: .claims)),
    Vector(name: "dl2-cnf-full-y", description: "cnf's y is the 32-byte coordinate instead of the sign bit.",
           code: try present(try bound { $0.payload = cnfPayload(claims(), key: [.init(1, 2), .init(-1, 1), .init(-2, .bytes(deviceKeyClaim.x)),
                                                                                  .init(-3, .bytes([UInt8](repeating: 7, count: 32)))]) }),
           expected: .init(verdict: .malformed, layer: .claims)),
]
vectors += dl2Vectors

// Check every vector against the verifier before publishing it.
let trustStore = TrustStore(certificates: trustCertificates, revocationLists: [crl])
for vector in vectors {
    let tokens = try vector.status.map { try StatusListToken(bytes: statusTokens[$0]!) }
    let verifier = Verifier(trustStore: trustStore, statusTokens: tokens,
                            options: .init(allowUnknownStatus: vector.allowUnknown, clock: { at }, holderWindow: vector.holderWindow ?? Verifier.defaultHolderWindow,
                                           requireHolderBinding: vector.requireHolderBinding))
    let result = verifier.verify(text: vector.code, request: .init(category: vector.category, portraitHash: vector.portraitHash))
    guard result.verdict == vector.expected.verdict, result.layer == vector.expected.layer, result.condition == vector.expected.condition else {
        fatalError("vector \(vector.name): expected \(vector.expected.verdict), got \(result.verdict) \(result.reason)")
    }
}

func json(_ vector: Vector) -> JSONValue {
    var expected: [(String, JSONValue)] = [("verdict", .string(vector.expected.verdict.rawValue)),
                                           ("check", vector.expected.verdict.check.map { .string($0.rawValue) } ?? .null)]
    if let layer = vector.expected.layer { expected.append(("layer", .string(layer.rawValue))) }
    if let condition = vector.expected.condition { expected.append(("condition", .string(condition.rawValue))) }
    return .object([
        ("name", .string(vector.name)),
        ("description", .string(vector.description)),
        ("code", .string(vector.code)),
        ("status", .array(vector.status.map { .string("status/\($0).cwt") })),
        ("at", .string(Instant.iso(at))),
        ("leeway", .int(300)),
        ("allow_unknown_status", .bool(vector.allowUnknown)),
        ("category", vector.category.map { .string($0) } ?? .null),
        ("portrait_sha256", vector.portraitHash.map { .string(Hex.encode($0)) } ?? .null),
    ] + (vector.holderWindow.map { [("holder_window", JSONValue.int($0))] } ?? [])
      + (vector.requireHolderBinding ? [("require_holder_binding", JSONValue.bool(true))] : [])
      + [("expected", .object(expected))])
}

// Images of the valid code: a clean PNG and a simulated phone photo as JPEG.
let matrix = try QRCodeMatrix(encoding: good, errorCorrection: .medium)
let clean = QRRenderer(matrix: matrix).image(scale: 6)
try write(try PNGCodec.encode(clean), out.appendingPathComponent("images/valid.png"))
try write(try JPEGCodec.encode(PhotoSimulator().photograph(clean), quality: 70), out.appendingPathComponent("images/valid-photo.jpg"))
// A DL2 presentation as a phone shows it (made 10 s before the vectors' time).
let dl2Matrix = try QRCodeMatrix(encoding: dl2Good, errorCorrection: .medium)
try write(try PNGCodec.encode(QRRenderer(matrix: dl2Matrix).image(scale: 6)), out.appendingPathComponent("images/dl2-valid.png"))
let images: [JSONValue] = [
    .object([("file", .string("images/valid.png")), ("code", .string("valid")), ("expected", .object([("verdict", .string("VALID"))]))]),
    .object([("file", .string("images/valid-photo.jpg")), ("code", .string("valid")), ("expected", .object([("verdict", .string("VALID"))]))]),
    .object([("file", .string("images/dl2-valid.png")), ("code", .string("dl2-valid")), ("expected", .object([("verdict", .string("VALID"))]))]),
]

let document = JSONValue.object([
    ("format", .string("DL1 test vectors, version 1 (with DL2 presentations, FORMAT section 7)")),
    ("warning", .string("Every key behind these vectors is in keys/ and is for TESTS ONLY: never trust this root in production.")),
    ("trust", .string("trust/")),
    ("vectors", .array(vectors.map(json))),
    ("images", .array(images)),
])
// One vector per line keeps diffs readable.
var text = document.serialized
text = text.replacingOccurrences(of: ",{\"name\":", with: ",\n{\"name\":").replacingOccurrences(of: "[{\"name\":", with: "[\n{\"name\":")
try write(Array((text + "\n").utf8), out.appendingPathComponent("vectors.json"))
print("wrote \(vectors.count) vectors and \(images.count) images to \(out.path)")

internal import CPKCS11
import DL1Crypto
import Foundation

/// Why a PKCS#11 operation failed, with the module's return value.
public struct PKCS11Error: Error, Sendable, CustomStringConvertible {
    /// What was being done.
    public let operation: String
    /// The CKR_ value, when the module returned one.
    public let code: UInt?

    public var description: String {
        guard let code else { return "PKCS#11: \(operation)" }
        let known: [UInt: String] = [0xa0: "CKR_PIN_INCORRECT", 0x11: "CKR_ATTRIBUTE_SENSITIVE", 0x12: "CKR_ATTRIBUTE_TYPE_INVALID",
                                     0x100: "CKR_USER_ALREADY_LOGGED_IN", 0x101: "CKR_USER_NOT_LOGGED_IN", 0xe0: "CKR_TOKEN_NOT_PRESENT",
                                     0x3: "CKR_SLOT_ID_INVALID", 0x5: "CKR_GENERAL_ERROR", 0x7: "CKR_ARGUMENTS_BAD"]
        return "PKCS#11: \(operation) failed (\(known[code] ?? String(format: "CKR 0x%lx", code)))"
    }
}

/// A logged-in session on one token of a PKCS#11 module (e.g. SoftHSM2 or a real HSM).
///
/// Private keys are generated inside the token as sensitive and non-extractable: signing
/// happens in the token, and the key never leaves it. Calls are serialized (a PKCS#11 session
/// is not for concurrent use).
public final class PKCS11Token: @unchecked Sendable {
    // All state below is guarded by `lock`.
    private let lock = NSLock()
    private let library: UnsafeMutableRawPointer
    private let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    private let session: CK_SESSION_HANDLE

    /// Loads `modulePath`, finds the token labelled `tokenLabel` and logs in with `pin`.
    public init(modulePath: String, tokenLabel: String, pin: String) throws(PKCS11Error) {
        guard let library = dlopen(modulePath, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PKCS11Error(operation: "loading the module \(modulePath): \(reason)", code: nil)
        }
        guard let symbol = dlsym(library, "C_GetFunctionList") else {
            dlclose(library)
            throw PKCS11Error(operation: "\(modulePath) is not a PKCS#11 module (no C_GetFunctionList)", code: nil)
        }
        typealias GetFunctionList = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CK_FUNCTION_LIST>?>?) -> CK_RV
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
        let getList = unsafeBitCast(symbol, to: GetFunctionList.self)
        guard getList(&list) == CKR_OK, let list else {
            dlclose(library)
            throw PKCS11Error(operation: "reading the module's function list", code: nil)
        }
        self.library = library
        self.functions = list
        // The module may be called from several threads (each token object serializes its own calls).
        var initArgs = CK_C_INITIALIZE_ARGS()
        initArgs.flags = CK_FLAGS(CKF_OS_LOCKING_OK)
        let initialized = list.pointee.C_Initialize(&initArgs)
        guard initialized == CKR_OK || initialized == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
            dlclose(library)
            throw PKCS11Error(operation: "initializing the module", code: initialized)
        }
        var count: CK_ULONG = 0
        guard list.pointee.C_GetSlotList(1, nil, &count) == CKR_OK else { throw PKCS11Error(operation: "listing slots", code: nil) }
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        guard list.pointee.C_GetSlotList(1, &slots, &count) == CKR_OK else { throw PKCS11Error(operation: "listing slots", code: nil) }
        var found: CK_SLOT_ID?
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            guard list.pointee.C_GetTokenInfo(slot, &info) == CKR_OK else { continue }
            let label = withUnsafeBytes(of: &info.label) { String(decoding: $0, as: UTF8.self) }.trimmingCharacters(in: .whitespaces)
            if label == tokenLabel { found = slot; break }
        }
        guard let slot = found else { throw PKCS11Error(operation: "finding a token labelled '\(tokenLabel)'", code: nil) }
        var session: CK_SESSION_HANDLE = 0
        let opened = list.pointee.C_OpenSession(slot, CK_FLAGS(CKF_SERIAL_SESSION | CKF_RW_SESSION), nil, nil, &session)
        guard opened == CKR_OK else { throw PKCS11Error(operation: "opening a session", code: opened) }
        self.session = session
        var pinBytes = Array(pin.utf8)
        defer { for i in pinBytes.indices { pinBytes[i] = 0 } }
        let login = list.pointee.C_Login(session, CK_USER_TYPE(CKU_USER), &pinBytes, CK_ULONG(pinBytes.count))
        guard login == CKR_OK || login == CKR_USER_ALREADY_LOGGED_IN else {
            // deinit closes the session (the object is complete by now).
            throw PKCS11Error(operation: "logging in to the token", code: login)
        }
    }

    deinit {
        // No C_Logout: a login belongs to the whole application, and other token objects of
        // this process may still be signing. Closing the session is enough. The module stays
        // loaded for the same reason.
        _ = functions.pointee.C_CloseSession(session)
    }

    /// DER of the P-256 curve's OID, the CKA_EC_PARAMS of every key made here.
    static let p256Parameters: [UInt8] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]

    /// Generates a P-256 key pair inside the token, the private half sensitive and
    /// non-extractable, both labelled `label`.
    public func generateKey(label: String) throws(PKCS11Error) -> PKCS11Key {
        lock.lock(); defer { lock.unlock() }
        var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_EC_KEY_PAIR_GEN), pParameter: nil, ulParameterLen: 0)
        var publicHandle: CK_OBJECT_HANDLE = 0, privateHandle: CK_OBJECT_HANDLE = 0
        let rv = Template.with([
            (CKA_EC_PARAMS, Self.p256Parameters), (CKA_TOKEN, [1]), (CKA_VERIFY, [1]), (CKA_LABEL, Array(label.utf8)),
        ]) { publicTemplate, publicCount in
            Template.with([
                (CKA_TOKEN, [1]), (CKA_PRIVATE, [1]), (CKA_SENSITIVE, [1]), (CKA_EXTRACTABLE, [0]), (CKA_SIGN, [1]),
                (CKA_LABEL, Array(label.utf8)),
            ]) { privateTemplate, privateCount in
                functions.pointee.C_GenerateKeyPair(session, &mechanism, publicTemplate, publicCount, privateTemplate, privateCount,
                                                    &publicHandle, &privateHandle)
            }
        }
        guard rv == CKR_OK else { throw PKCS11Error(operation: "generating a P-256 key in the token", code: rv) }
        return PKCS11Key(token: self, handle: privateHandle, publicKey: try publicKey(handle: publicHandle), label: label)
    }

    /// The key pair labelled `label`.
    public func key(label: String) throws(PKCS11Error) -> PKCS11Key {
        lock.lock(); defer { lock.unlock() }
        let privateHandle = try find(class: CK_OBJECT_CLASS(CKO_PRIVATE_KEY), label: label)
        let publicHandle = try find(class: CK_OBJECT_CLASS(CKO_PUBLIC_KEY), label: label)
        return PKCS11Key(token: self, handle: privateHandle, publicKey: try publicKey(handle: publicHandle), label: label)
    }

    /// Whether the token would give out the private key's value (it must not).
    public func privateValueIsReadable(label: String) throws(PKCS11Error) -> Bool {
        lock.lock(); defer { lock.unlock() }
        let handle = try find(class: CK_OBJECT_CLASS(CKO_PRIVATE_KEY), label: label)
        var attribute = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_VALUE), pValue: nil, ulValueLen: 0)
        let rv = functions.pointee.C_GetAttributeValue(session, handle, &attribute, 1)
        return rv == CKR_OK && attribute.ulValueLen != CK_ULONG(bitPattern: -1)
    }

    func sign(_ message: [UInt8], handle: CK_OBJECT_HANDLE) throws(PKCS11Error) -> [UInt8] {
        var digest = SHA256.hash(message)
        lock.lock(); defer { lock.unlock() }
        var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_ECDSA), pParameter: nil, ulParameterLen: 0)
        let started = functions.pointee.C_SignInit(session, &mechanism, handle)
        guard started == CKR_OK else { throw PKCS11Error(operation: "starting a signature", code: started) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length: CK_ULONG = 64
        let signed = functions.pointee.C_Sign(session, &digest, CK_ULONG(digest.count), &signature, &length)
        guard signed == CKR_OK, length == 64 else { throw PKCS11Error(operation: "signing in the token", code: signed) }
        return signature
    }

    private func find(class objectClass: CK_OBJECT_CLASS, label: String) throws(PKCS11Error) -> CK_OBJECT_HANDLE {
        var classValue = objectClass
        let classBytes = withUnsafeBytes(of: &classValue) { Array($0) }
        var handle: CK_OBJECT_HANDLE = 0
        var count: CK_ULONG = 0
        let rv = Template.with([(CKA_CLASS, classBytes), (CKA_LABEL, Array(label.utf8))]) { template, n -> CK_RV in
            let started = functions.pointee.C_FindObjectsInit(session, template, n)
            guard started == CKR_OK else { return started }
            let found = functions.pointee.C_FindObjects(session, &handle, 1, &count)
            _ = functions.pointee.C_FindObjectsFinal(session)
            return found
        }
        guard rv == CKR_OK else { throw PKCS11Error(operation: "searching the token for '\(label)'", code: rv) }
        guard count == 1 else { throw PKCS11Error(operation: "no key labelled '\(label)' in the token", code: nil) }
        return handle
    }

    private func publicKey(handle: CK_OBJECT_HANDLE) throws(PKCS11Error) -> P256PublicKey {
        var attribute = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_EC_POINT), pValue: nil, ulValueLen: 0)
        guard functions.pointee.C_GetAttributeValue(session, handle, &attribute, 1) == CKR_OK, attribute.ulValueLen <= 256 else {
            throw PKCS11Error(operation: "reading the public key", code: nil)
        }
        var point = [UInt8](repeating: 0, count: Int(attribute.ulValueLen))
        let rv = point.withUnsafeMutableBytes { buffer -> CK_RV in
            attribute.pValue = buffer.baseAddress
            return functions.pointee.C_GetAttributeValue(session, handle, &attribute, 1)
        }
        guard rv == CKR_OK else { throw PKCS11Error(operation: "reading the public key", code: rv) }
        // CKA_EC_POINT is a DER OCTET STRING around the uncompressed point (some modules omit the wrapper).
        if point.count == 67, point[0] == 0x04, point[1] == 0x41 { point.removeFirst(2) }
        guard point.count == 65, point[0] == 0x04 else { throw PKCS11Error(operation: "the token's public key is not an uncompressed P-256 point", code: nil) }
        let spkiPrefix: [UInt8] = [0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
                                   0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00]
        do { return try P256PublicKey(spkiDER: spkiPrefix + point) } catch {
            throw PKCS11Error(operation: "reading the public key: \(error)", code: nil)
        }
    }
}

/// A key pair inside a PKCS#11 token: it signs there; only the public key is here.
public struct PKCS11Key: RawSigner {
    let token: PKCS11Token
    let handle: CK_OBJECT_HANDLE
    public let publicKey: P256PublicKey
    /// The key's label in the token.
    public let label: String

    public func sign(_ message: [UInt8]) throws -> [UInt8] { try token.sign(message, handle: handle) }
}

/// CK_ATTRIBUTE templates whose values live exactly as long as the call that uses them.
enum Template {
    static func with<R>(_ attributes: [(UInt, [UInt8])], _ body: (UnsafeMutablePointer<CK_ATTRIBUTE>, CK_ULONG) -> R) -> R {
        let buffers = attributes.map { attribute -> UnsafeMutableRawBufferPointer in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, attribute.1.count), alignment: 8)
            buffer.copyBytes(from: attribute.1)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var template = zip(attributes, buffers).map { attribute, buffer in
            CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(attribute.0), pValue: buffer.baseAddress, ulValueLen: CK_ULONG(attribute.1.count))
        }
        return template.withUnsafeMutableBufferPointer { body($0.baseAddress!, CK_ULONG($0.count)) }
    }
}

import CDLVerify
import DL1Verifier

/// A `dlv_error`: a status code and an owned C string message.
final class CError {
    let status: dlv_status
    let message: CStringStore.Entry

    init(_ status: dlv_status, _ message: String) {
        self.status = status
        self.message = CStringStore.Entry(message)
    }

    /// Hands a new error to the caller through `out` (when it is not NULL) and returns `status`.
    @discardableResult
    static func fail(_ status: dlv_status, _ message: String, into out: UnsafeMutablePointer<OpaquePointer?>?) -> dlv_status {
        out?.pointee = Handle.retain(CError(status, message))
        return status
    }
}

extension CError {
    /// Hands a setup failure to the caller with the status its kind maps to.
    @discardableResult
    static func fail(_ error: VerifierSetup.SetupError, into out: UnsafeMutablePointer<OpaquePointer?>?) -> dlv_status {
        let status: dlv_status
        switch error.kind {
        case .io: status = DLV_E_IO
        case .trust: status = DLV_E_TRUST
        case .bundle: status = DLV_E_BUNDLE
        }
        return fail(status, error.description, into: out)
    }
}

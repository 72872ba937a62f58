import DL1Issuer
import DL1ServiceAPI

extension Problem {
    /// The problem a client is told for an issuer failure: its own type for what the client can
    /// act on, 503 for a registry that cannot be reached, 500 (without the facts, which stay in
    /// the server) for the rest.
    init(_ error: IssuerError) {
        switch error.code {
        case .noEnrolmentCode: self.init(.noEnrolmentCode, status: 404, detail: error.description)
        case .enrolmentCodeWrong: self.init(.enrolmentCodeWrong, status: 403, detail: error.description)
        case .enrolmentCodeLocked: self.init(.enrolmentCodeLocked, status: 403, detail: error.description)
        case .enrolmentCodeExpired: self.init(.enrolmentCodeExpired, status: 410, detail: error.description)
        case .unknownCredential: self.init(.unknownCredential, status: 404, detail: error.description)
        case .credentialNotBound: self.init(.credentialNotBound, status: 409, detail: error.description)
        case .credentialSuperseded: self.init(.credentialSuperseded, status: 410, detail: error.description)
        case .licenceRevoked: self.init(.credentialRevoked, status: 410, detail: error.description)
        case .licenceSuspended: self.init(.credentialSuspended, status: 403, detail: error.description)
        case .licenceExpired: self.init(.licenceExpired, status: 410, detail: error.description)
        case .portraitInvalid: self.init(.portraitInvalid, status: 400, detail: error.description)
        case .unknownApplication: self.init(.unknownApplication, status: 404, detail: error.description)
        case .unknownLicence, .noActiveCredential: self.init(.licenceNotValid, status: 409, detail: error.description)
        case .registryUnreachable, .registryUnreadable, .registryRefused, .heldByAnotherProcess, .changedMeanwhile:
            self.init(.unavailable, status: 503, detail: "the registry is not available: try again shortly")
        default:
            self.init(.internalError, status: 500, detail: "the request could not be completed")
        }
    }
}

/// A failure of an issuer operation: a stable ``Code`` for programs, and a message a user can
/// act on that states the facts (file, list, index, document number).
public struct IssuerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is. The raw values are stable: scripts and the CLI's hints rely on them.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A failure without a more specific code yet.
        case unspecified
        /// The registry file is missing.
        case registryMissing = "registry-missing"
        /// The registry file is empty, or holds no registry (no identity, no tables).
        case registryEmpty = "registry-empty"
        /// The registry is not the one this issuer was created with.
        case registryIdentityMismatch = "registry-identity-mismatch"
        /// The registry was made or upgraded by a newer version of this software.
        case registryTooNew = "registry-too-new"
        /// The registry cannot be written (file or folder permissions), or must be upgraded and was opened read-only.
        case registryReadOnly = "registry-read-only"
        /// The registry file is not an SQLite database, or SQLite reports it damaged.
        case registryDamaged = "registry-damaged"
        /// A new status token would show an entry VALID that the last published token of its
        /// list showed INVALID, SUSPENDED or SUPERSEDED, with no reinstatement recorded since.
        case publicationRegression = "publication-regression"
        /// A new status token would not be later than the last one published for its list.
        case publicationNotLater = "publication-not-later"
        /// The record of published lists cannot be read or written.
        case publicationRecord = "publication-record"
        /// A backup destination already exists, or the backup failed.
        case backupFailed = "backup-failed"
        /// A backup to restore is unusable or would lose published revocations.
        case restoreRefused = "restore-refused"
        /// A document number appears twice in one batch input.
        case duplicateInBatch = "duplicate-in-batch"
        /// Another process is issuing this document number right now.
        case heldByAnotherProcess = "held-by-another-process"
        /// A pending credential left by an interrupted or failed run blocks the operation.
        case pendingFromInterruptedRun = "pending-from-interrupted-run"
        /// Text given for a licence is not valid UTF-8 (it arrived as U+FFFD replacement characters).
        case invalidText = "invalid-text"
        /// A private key file is a link, or readable by group or others.
        case keyFileUnsafe = "key-file-unsafe"
        /// A bound credential was asked for as a picture (PNG, SVG, terminal) instead of text.
        case boundCredentialAsPicture = "bound-credential-as-picture"
        /// A holder key file is not a P-256 public key.
        case holderKeyUnusable = "holder-key-unusable"
        /// The registry's database refused a change (constraint, disk full, connection lost).
        case registryRefused = "registry-refused"
        /// The registry's database could not be read.
        case registryUnreadable = "registry-unreadable"
        /// The registry's database server cannot be reached or refused the connection.
        case registryUnreachable = "registry-unreachable"
        /// A registry address or its password setting is unusable.
        case registryAddressInvalid = "registry-address-invalid"
        /// The operation exists for one registry engine only (e.g. a file backup of SQLite).
        case registryEngineUnsupported = "registry-engine-unsupported"
        /// A registry already exists where a new one was to be made.
        case registryExists = "registry-exists"
        /// The issuer has no authority with the code given.
        case unknownAuthority = "unknown-authority"
        /// A licence was to be transferred to the authority that already holds it.
        case transferToSameAuthority = "transfer-to-same-authority"
        /// A setting given at creation is unusable: the country code.
        case invalidCountry = "invalid-country"
        /// The authority code.
        case invalidAuthorityCode = "invalid-authority-code"
        /// The authority name.
        case invalidAuthorityName = "invalid-authority-name"
        /// The status list URI base.
        case invalidStatusURIBase = "invalid-status-uri-base"
        /// The status list capacity.
        case invalidStatusListCapacity = "invalid-status-list-capacity"
        /// The vehicle categories.
        case invalidCategories = "invalid-categories"
        /// A licence without any driving privilege.
        case noPrivileges = "no-privileges"
        /// An output scale (pixels per module) out of range.
        case outputScaleOutOfRange = "output-scale-out-of-range"
        /// A code lifetime that is not positive, or longer than 20 years.
        case codeLifetimeOutOfRange = "code-lifetime-out-of-range"
        /// The code does not fit in a QR code at the error-correction level asked.
        case codeTooLarge = "code-too-large"
        /// A signer withdrawal reason that is not a permanent one.
        case withdrawalReasonInvalid = "withdrawal-reason-invalid"
        /// No document signer has the kid given.
        case unknownSigner = "unknown-signer"
        /// A category change that changes nothing.
        case noChangeGiven = "no-change-given"
        /// A points change of zero.
        case pointsChangeInvalid = "points-change-invalid"
        /// A change was recorded but its code could not be handed over.
        case deliveryFailed = "delivery-failed"
        /// Encrypted keys and no passphrase.
        case passphraseNeeded = "passphrase-needed"
        /// Keys in a PKCS#11 token and no PIN.
        case pinNeeded = "pin-needed"
        /// The folder is not an issuer folder.
        case notAnIssuerFolder = "not-an-issuer-folder"
        /// A new licence whose number already has a live credential.
        case activeCredentialExists = "active-credential-exists"
        /// The credential changed between reading it and changing it (another process).
        case changedMeanwhile = "changed-meanwhile"
        /// A status list has no free index left.
        case statusListFull = "status-list-full"
        /// No licence has this document number.
        case unknownLicence = "unknown-licence"
        /// The licence is revoked (final).
        case licenceRevoked = "licence-revoked"
        /// The licence is suspended.
        case licenceSuspended = "licence-suspended"
        /// The licence's expiry date has passed.
        case licenceExpired = "licence-expired"
        /// The licence has no live credential (all superseded or pending).
        case noActiveCredential = "no-active-credential"
        /// No credential has this id.
        case unknownCredential = "unknown-credential"
        /// The credential is not bound to a device key.
        case credentialNotBound = "credential-not-bound"
        /// The credential is no longer the licence's live one (a newer credential superseded it).
        case credentialSuperseded = "credential-superseded"
        /// No enrolment code is open for the licence.
        case noEnrolmentCode = "no-enrolment-code"
        /// The enrolment code does not match (the facts say how many tries are left).
        case enrolmentCodeWrong = "enrolment-code-wrong"
        /// Too many wrong tries: the enrolment code was withdrawn.
        case enrolmentCodeLocked = "enrolment-code-locked"
        /// The enrolment code has expired.
        case enrolmentCodeExpired = "enrolment-code-expired"
        /// An enrolment code's validity is out of range.
        case enrolmentValidityOutOfRange = "enrolment-validity-out-of-range"
        /// No enrolment application has this id.
        case unknownApplication = "unknown-application"
        /// The application was already approved or rejected.
        case applicationDecided = "application-decided"
        /// An application's portrait is empty or too large.
        case portraitInvalid = "portrait-invalid"
    }

    /// The kind of failure.
    public let code: Code
    /// The explanation.
    public let description: String

    /// An error with its explanation and no specific code.
    public init(_ description: String) {
        self.code = .unspecified
        self.description = description
    }

    /// An error with its code and explanation.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
